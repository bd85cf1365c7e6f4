"""The .xlsm's VBA project without xlwings' sample module: our compound-file and VBA-compression code,
checked against readers nobody here wrote (olefile in its strict mode, oletools' olevba, which reads a
project the way Office does: the dir stream, then each module's compressed source) and against the
examples printed in [MS-OVBA] 3.2. LibreOffice's VBA import is checked in test_template_libreoffice."""

import os
import struct
from pathlib import Path

import olefile
import pytest
from hypothesis import given, settings, strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from xlpricing.sheets.vbaproject import (
    compress, decompress, module_names, module_source, read_compound_file, remove_standard_module,
    write_compound_file,
)


def xlwings_vba_project() -> bytes:
    import zipfile

    import xlwings

    quickstart = Path(xlwings.__file__).with_name("quickstart_standalone.xlsm")
    with zipfile.ZipFile(quickstart) as z:
        return z.read("xl/vbaProject.bin")


ORIGINAL = xlwings_vba_project()
ORIGINAL_STREAMS = read_compound_file(ORIGINAL)


def olevba_decompress(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(data)))


def olefile_streams(data: bytes) -> dict[str, bytes]:
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT)  # strict: refuse what is wrong
    return {"/".join(p): ole.openstream("/".join(p)).read() for p in ole.listdir()}


def olevba_modules(data: bytes) -> dict[str, str]:
    """{module stream name: source} as olevba reads them."""
    parser = VBA_Parser("vbaProject.bin", data=data)
    return {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}


# ---------------------------------------------------------------- compression ([MS-OVBA] 2.4.1, 3.2)

NO_COMPRESSION = (b"abcdefghijklmnopqrstuv.",
                  "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E")
NORMAL = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
# 3.2.2 as printed: its third "aaa" copies from 4 back (token 0x3000) and its last from 12 back
NORMAL_AS_PRINTED = ("01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30 6D 6E"
                     " 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C")
# the matching routine of 2.4.1.3.19.4 keeps the nearest of equally long matches: 3 back (0x2000) and
# 3 back (0x2C00) instead; both decompress to the same text
NORMAL_NEAREST = ("01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20 6D 6E"
                  " 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C")
# 3.2.3: 73 × "a" is one literal and one copy token 0x0045: offset (0x0045 >> 12) + 1 = 1,
# length (0x0045 & 0x0FFF) + 3 = 72; 1 + 72 = 73
MAXIMUM = (b"a" * 73, "01 03 B0 02 61 45 00")


@pytest.mark.parametrize("text, printed", [NO_COMPRESSION, (NORMAL, NORMAL_NEAREST), MAXIMUM])
def test_compression_gives_the_specifications_bytes(text, printed):
    assert compress(text) == bytes.fromhex(printed)


@pytest.mark.parametrize("text, printed", [NO_COMPRESSION, (NORMAL, NORMAL_AS_PRINTED), (NORMAL, NORMAL_NEAREST), MAXIMUM])
def test_the_specifications_bytes_decompress_to_its_text_here_and_in_olevba(text, printed):
    assert olevba_decompress(bytes.fromhex(printed)) == text
    assert decompress(bytes.fromhex(printed)) == text


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4095, 4096, 4097, 8192, 8193, 3 * 4096 + 17])
def test_chunk_boundaries_round_trip_through_olevba(size):
    text = (b"Attribute VB_Name = \"xlwings\"\r\n" * 400)[:size]
    packed = compress(text)
    assert olevba_decompress(packed) == text
    assert decompress(packed) == text


def test_a_full_chunk_that_does_not_compress_is_stored_raw():
    noise = os.urandom(4096) + b"tail"
    packed = compress(noise)
    header = int.from_bytes(packed[1:3], "little")
    assert header == 0x3FFF  # raw flag clear, signature 0b011, size 4096 + 2 - 3 = 4095
    assert packed[3:3 + 4096] == noise[:4096]
    assert olevba_decompress(packed) == noise


def test_a_short_last_chunk_that_does_not_compress_is_refused_not_padded():
    # a raw chunk always holds 4,096 bytes: padding 4,000 random bytes would add 96 zeros to the source
    with pytest.raises(ValueError, match="does not compress"):
        compress(os.urandom(4000))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"ab", b"Sub ", b"End Sub\r\n", b"\x00", b"\xff", b"xlwings", b"z" * 40]),
                max_size=700).map(b"".join))
def test_any_text_round_trips_through_olevba(text):
    packed = compress(text)
    assert olevba_decompress(packed) == text
    assert decompress(packed) == text


def test_module_sources_agree_with_olevba_on_the_project_office_wrote():
    sources = olevba_modules(ORIGINAL)
    assert decompress(ORIGINAL_STREAMS["VBA/dir"]) == olevba_decompress(ORIGINAL_STREAMS["VBA/dir"])
    assert sources == {name: module_source(ORIGINAL_STREAMS, name) for name in module_names(ORIGINAL_STREAMS)}


@pytest.mark.parametrize("broken", [b"", b"\x02abc", b"\x01\x03", b"\x01\x03\x00\x00"])
def test_decompression_refuses_what_is_not_a_container(broken):
    with pytest.raises(ValueError):
        decompress(broken)


# ---------------------------------------------------------------- the compound file ([MS-CFB])


def test_reading_xlwings_project_agrees_with_olefile():
    assert ORIGINAL_STREAMS == olefile_streams(ORIGINAL)
    assert sorted(ORIGINAL_STREAMS) == ["PROJECT", "PROJECTwm", "VBA/Dictionary", "VBA/Module1", "VBA/Sheet1",
                                        "VBA/Sheet2", "VBA/ThisWorkbook", "VBA/_VBA_PROJECT", "VBA/dir", "VBA/xlwings"]


def cfb_key(name: str):
    return len(name), name.upper()


def check_sibling_trees(data: bytes) -> None:
    """Every storage's children form a binary search tree in the file's own order, and a valid
    red-black tree: no red node has a red child, every path down passes as many black nodes."""
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT)
    entries = {e.sid: e for e in ole.direntries if e is not None}

    def walk(sid, low, high, parent_red):
        if sid == olefile.NOSTREAM:
            return 1
        entry = entries[sid]
        key = cfb_key(entry.name)
        assert (low is None or low < key) and (high is None or key < high), entry.name
        red = entry.color == 0  # [MS-CFB] 2.6.1: 0x00 red, 0x01 black
        assert not (red and parent_red), f"red {entry.name} under a red parent"
        left = walk(entry.sid_left, low, key, red)
        right = walk(entry.sid_right, key, high, red)
        assert left == right, f"unequal black heights below {entry.name}"
        return left + (0 if red else 1)

    for entry in entries.values():
        if entry.entry_type in (olefile.STGTY_ROOT, olefile.STGTY_STORAGE):
            walk(entry.sid_child, None, None, True)  # a tree's root is black: "parent red" checks that


@pytest.mark.parametrize("streams", [
    ORIGINAL_STREAMS,
    {"a": b""},
    {"mini": b"x" * 4095, "regular": b"y" * 4096, "one": b"z"},
    {f"S/s{i:02}": bytes([i]) * (i * 97) for i in range(40)},  # 40 entries: directory over ten sectors
    {"A/B/C/deep": b"deep", "A/top": b"t", "Z": b"z" * 70_000},  # a stream over two FAT sectors' worth
    {f"s{i}": b"." * 64 * i for i in range(1, 23)},  # 2, 3, … siblings: every tree shape up to 22
], ids=["xlwings", "empty stream", "cutoff", "many entries", "nested and large", "tree shapes"])
def test_a_written_compound_file_reads_back_in_strict_olefile(streams):
    written = write_compound_file(streams)
    assert olefile_streams(written) == streams
    assert read_compound_file(written) == streams
    check_sibling_trees(written)
    assert len(written) % 512 == 0
    assert write_compound_file(streams) == written  # deterministic: the committed .xlsm can be compared


@pytest.mark.parametrize("count", range(1, 16))
def test_every_sibling_count_makes_a_valid_red_black_tree(count):
    check_sibling_trees(write_compound_file({f"n{i:02}": b"." for i in range(count)}))


def test_the_tree_check_catches_a_chain_of_black_nodes():
    # xlwings' own file hangs each storage's children on one chain of right siblings, all black:
    # readers accept it, but it is no red-black tree, and the check above must say so
    with pytest.raises(AssertionError, match="unequal black heights"):
        check_sibling_trees(ORIGINAL)


def test_a_stream_name_over_31_characters_is_refused():
    with pytest.raises(ValueError, match="31 characters"):
        write_compound_file({"x" * 32: b""})


# ---------------------------------------------------------------- taking out xlwings' sample module

PROJECT_WITHOUT_MODULE1 = (
    'ID="{5CF9CDAB-B77B-4FE4-BD7E-D29900070E1B}"\r\n'
    "Document=ThisWorkbook/&H00000000\r\n"
    "Document=Sheet1/&H00000000\r\n"
    "Document=Sheet2/&H00000000\r\n"
    "Module=xlwings\r\n"
    "Class=Dictionary\r\n")
WORKSPACE_WITHOUT_MODULE1 = (
    "[Workspace]\r\n"
    "ThisWorkbook=0, 0, 0, 0, C\r\n"
    "Sheet1=0, 0, 0, 0, C\r\n"
    "Sheet2=0, 0, 0, 0, C\r\n"
    "xlwings=147, 147, 1607, 965, C\r\n"
    "Dictionary=0, 0, 0, 0, C\r\n")


@pytest.fixture(scope="module")
def edited():
    return write_compound_file(remove_standard_module(ORIGINAL_STREAMS, "Module1"))


def test_olevba_finds_every_module_but_the_sample(edited):
    before, after = olevba_modules(ORIGINAL), olevba_modules(edited)
    assert sorted(before) == ["Dictionary", "Module1", "Sheet1", "Sheet2", "ThisWorkbook", "xlwings"]
    assert "Sub SampleCall()" in before["Module1"]
    assert sorted(after) == ["Dictionary", "Sheet1", "Sheet2", "ThisWorkbook", "xlwings"]
    assert all(after[name] == before[name] for name in after)  # xlwings' code as it was
    assert not any("SampleCall" in code for code in after.values())


def test_only_the_module_lists_change_and_the_sample_stream_goes(edited):
    after = olefile_streams(edited)
    assert "VBA/Module1" not in after
    for path in ("VBA/xlwings", "VBA/Dictionary", "VBA/Sheet1", "VBA/Sheet2", "VBA/ThisWorkbook", "VBA/_VBA_PROJECT"):
        assert after[path] == ORIGINAL_STREAMS[path], path
    project = after["PROJECT"].decode("cp1252")
    assert project.startswith(PROJECT_WITHOUT_MODULE1)
    assert WORKSPACE_WITHOUT_MODULE1 in project and "Module1" not in project
    assert after["PROJECTwm"] == b"".join(n.encode() + b"\x00" + n.encode("utf-16-le") + b"\x00\x00"
                                          for n in ["ThisWorkbook", "Sheet1", "Sheet2", "xlwings", "Dictionary"]) + b"\x00\x00"


def test_the_dir_stream_loses_exactly_the_sample_modules_record(edited):
    before = olevba_decompress(ORIGINAL_STREAMS["VBA/dir"])
    after = olevba_decompress(olefile_streams(edited)["VBA/dir"])
    # PROJECTMODULES (0x000F, size 2): 6 modules before, 5 after
    assert struct.pack("<HIH", 0x000F, 2, 6) in before and struct.pack("<HIH", 0x000F, 2, 5) in after
    start = before.index(struct.pack("<HI", 0x0019, 7) + b"Module1")  # MODULENAME "Module1"
    end = before.index(struct.pack("<HI", 0x002B, 0), start) + 6  # its terminator
    assert after == before[:start].replace(struct.pack("<HIH", 0x000F, 2, 6), struct.pack("<HIH", 0x000F, 2, 5)) \
        + before[end:]
    assert module_names(read_compound_file(edited)) == ["ThisWorkbook", "Sheet1", "Sheet2", "xlwings", "Dictionary"]


@pytest.mark.parametrize("name, reason", [
    ("Sheet1", "document or class module"),
    ("Dictionary", "document or class module"),
    ("Module2", "no module 'Module2'"),
])
def test_only_a_standard_module_that_exists_is_removed(name, reason):
    with pytest.raises(ValueError, match=reason):
        remove_standard_module(ORIGINAL_STREAMS, name)


def test_a_project_with_compiled_code_is_not_edited():
    compiled = {**ORIGINAL_STREAMS, "VBA/_VBA_PROJECT": bytes.fromhex("cc61b200000300") + b"p-code"}
    with pytest.raises(ValueError, match="compiled code"):
        remove_standard_module(compiled, "Module1")

