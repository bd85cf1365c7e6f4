"""xlwings' VBA project without its sample module: read and write the compound file (MS-CFB) and
edit the three places a VBA project lists its modules (MS-OVBA). Standard library only.

Why this is safe to do without Excel at hand: xlwings ships its project source-only. Its
``_VBA_PROJECT`` stream carries version 0xFFFF, which tells Office to ignore every compiled cache
and compile the modules from their source when the workbook opens; so a module can be taken out
by editing the lists (the ``dir`` stream, ``PROJECT``, ``PROJECTwm``) and dropping its stream,
while every other module's stream stays byte for byte. A project that does carry a cache is
refused, not edited.
"""

from __future__ import annotations

import struct

# ---------------------------------------------------------------- MS-OVBA 2.4.1 compression

_CHUNK = 4096


def _copy_token_split(position: int) -> tuple[int, int]:
    """(length mask, bit count of the offset) for a copy token at ``position`` in its chunk."""
    bit_count = max((position - 1).bit_length(), 4)
    return 0xFFFF >> bit_count, bit_count


def decompress(container: bytes) -> bytes:
    """A CompressedContainer back to its bytes."""
    if not container or container[0] != 0x01:
        raise ValueError("not a VBA compressed container (its first byte is not 0x01)")
    out = bytearray()
    i = 1
    while i < len(container):
        if i + 2 > len(container):
            raise ValueError("VBA compressed container ends inside a chunk header")
        header = int.from_bytes(container[i:i + 2], "little")
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0b111 != 0b011:
            raise ValueError(f"VBA compressed chunk at byte {i} has a bad signature")
        end = min(i + size, len(container))
        data, i = container[i + 2:end], end
        start = len(out)
        if not header & 0x8000:  # raw chunk: 4,096 bytes as they are
            out += data
            continue
        j = 0
        while j < len(data):
            flags = data[j]
            j += 1
            for bit in range(8):
                if j >= len(data):
                    break
                if not flags >> bit & 1:
                    out.append(data[j])
                    j += 1
                    continue
                token = int.from_bytes(data[j:j + 2], "little")
                j += 2
                length_mask, bit_count = _copy_token_split(len(out) - start)
                offset = (token >> (16 - bit_count)) + 1
                length = (token & length_mask) + 3
                if offset > len(out) - start:
                    raise ValueError("VBA compressed chunk copies from before its own start")
                for _ in range(length):  # byte by byte: a copy may overlap what it writes
                    out.append(out[-offset])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    position = 0
    while position < len(chunk):
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if position >= len(chunk):
                break
            length_mask, bit_count = _copy_token_split(position)
            longest, best = 0, 0
            # nearest candidate first; a longer match further back replaces it (MS-OVBA 2.4.1.3.19.4)
            for candidate in range(position - 1, -1, -1):
                length = 0
                while (position + length < len(chunk) and length < length_mask + 3
                       and chunk[candidate + length] == chunk[position + length]):
                    length += 1
                if length > longest:
                    longest, best = length, candidate
            if longest >= 3:
                token = ((position - best - 1) << (16 - bit_count)) | (longest - 3)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
                position += longest
            else:
                out.append(chunk[position])
                position += 1
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """``data`` as a CompressedContainer, chunk by chunk as MS-OVBA 2.4.1.3 describes."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        chunk = data[start:start + _CHUNK]
        packed = _compress_chunk(chunk)
        if len(packed) > _CHUNK:
            if len(chunk) < _CHUNK:  # a raw chunk is exactly 4,096 bytes: padding would add bytes
                raise ValueError("VBA compression: a short last chunk does not compress")
            out += (0x3000 | (_CHUNK - 1)).to_bytes(2, "little") + chunk
        else:
            out += (0xB000 | (len(packed) + 2 - 3)).to_bytes(2, "little") + packed
    return bytes(out)


# ---------------------------------------------------------------- MS-CFB compound file, version 3

_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_SECTOR, _MINI, _CUTOFF = 512, 64, 4096
_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1


def read_compound_file(data: bytes) -> dict[str, bytes]:
    """Every stream of a compound file by its path (``"VBA/dir"``); storages are implied."""
    if data[:8] != _SIGNATURE:
        raise ValueError("not a compound file")
    sector_size = 1 << struct.unpack_from("<H", data, 30)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 32)[0]
    (_, n_fat, first_dir, _, cutoff, first_minifat, _, first_difat, n_difat) = struct.unpack_from("<9I", data, 40)

    def sector(n: int) -> bytes:
        return data[(n + 1) * sector_size:(n + 2) * sector_size]

    fat_sectors = list(struct.unpack_from("<109I", data, 76))
    difat = first_difat
    for _ in range(n_difat):
        entries = struct.unpack(f"<{sector_size // 4}I", sector(difat))
        fat_sectors += entries[:-1]
        difat = entries[-1]
    fat: list[int] = []
    for n in fat_sectors[:n_fat]:
        fat += struct.unpack(f"<{sector_size // 4}I", sector(n))

    def chain(start: int, table: list[int], read) -> bytes:
        parts, seen = [], set()
        while start not in (_END, _FREE):
            if start in seen or start >= len(table):
                raise ValueError("compound file: a broken sector chain")
            seen.add(start)
            parts.append(read(start))
            start = table[start]
        return b"".join(parts)

    directory = chain(first_dir, fat, sector)
    entries = [directory[i:i + 128] for i in range(0, len(directory), 128)]
    root = entries[0]
    mini_stream = chain(struct.unpack_from("<I", root, 116)[0], fat, sector)
    minifat_bytes = chain(first_minifat, fat, sector)
    minifat = list(struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes))

    def mini_sector(n: int) -> bytes:
        return mini_stream[n * mini_size:(n + 1) * mini_size]

    streams: dict[str, bytes] = {}

    def walk(index: int, prefix: str) -> None:
        if index == _NOSTREAM:
            return
        entry = entries[index]
        name_length, kind = struct.unpack_from("<HB", entry, 64)
        name = entry[:max(name_length - 2, 0)].decode("utf-16-le")
        left, right, child = struct.unpack_from("<3I", entry, 68)
        start, size = struct.unpack_from("<IQ", entry, 116)
        walk(left, prefix)
        walk(right, prefix)
        if kind == _STORAGE:
            walk(child, f"{prefix}{name}/")
        elif kind == _STREAM:
            body = chain(start, minifat, mini_sector) if size < cutoff else chain(start, fat, sector)
            streams[prefix + name] = body[:size]

    walk(struct.unpack_from("<I", root, 76)[0], "")
    return streams


def _cfb_order(name: str) -> tuple[int, str]:
    """Siblings sort shorter name first, then by upper case (MS-CFB 2.6.4)."""
    return len(name.encode("utf-16-le")), name.upper()


def _red_black_tree(count: int) -> tuple[int, list[tuple[int, int, int]]]:
    """The root and each node's (left, right, colour) for ``count`` sorted siblings, as indexes
    into that list (-1: none). Balanced: every level is full but the last, which is red, so each
    path down has the same number of black nodes and no red node has a red child."""
    nodes = [(-1, -1, _BLACK)] * count
    full_levels = (count + 1).bit_length() - 1

    def build(low: int, high: int, depth: int) -> int:
        if low > high:
            return -1
        middle = (low + high + 1) // 2
        left, right = build(low, middle - 1, depth + 1), build(middle + 1, high, depth + 1)
        nodes[middle] = (left, right, _RED if depth >= full_levels else _BLACK)
        return middle

    return build(0, count - 1, 0), nodes


def write_compound_file(streams: dict[str, bytes]) -> bytes:
    """A version 3 compound file (512-byte sectors) holding ``streams``; storages follow from the
    paths. Deterministic: no timestamps, children in the file's own sort order."""
    # the directory: storages and streams, each storage's children as a red-black tree
    tree: dict[str, dict] = {}
    for path in streams:
        node = tree
        *storages, name = path.split("/")
        for storage in storages:
            node = node.setdefault(storage, {})
            if not isinstance(node, dict):
                raise ValueError(f"compound file: {path} puts a stream inside a stream")
        node[name] = path
    entries: list[dict] = [{"name": "Root Entry", "kind": _ROOT, "children": tree}]
    order = 0
    while order < len(entries):  # breadth first: a storage's children follow each other
        entry = entries[order]
        order += 1
        if "children" not in entry:
            continue
        names = sorted(entry["children"], key=_cfb_order)
        base = len(entries)
        for name in names:
            value = entry["children"][name]
            if len(name.encode("utf-16-le")) > 62:
                raise ValueError(f"compound file: the name {name!r} is longer than 31 characters")
            if isinstance(value, dict):
                entries.append({"name": name, "kind": _STORAGE, "children": value})
            else:
                entries.append({"name": name, "kind": _STREAM, "path": value})
        root, links = _red_black_tree(len(names))
        entry["child"] = base + root if names else _NOSTREAM
        for i, (left, right, colour) in enumerate(links):
            entries[base + i].update(left=base + left if left >= 0 else _NOSTREAM,
                                     right=base + right if right >= 0 else _NOSTREAM, colour=colour)

    # the mini stream: small streams in 64-byte mini sectors
    mini_stream, minifat = bytearray(), []
    for entry in entries:
        if entry["kind"] == _STREAM and len(streams[entry["path"]]) < _CUTOFF:
            body = streams[entry["path"]]
            first = len(mini_stream) // _MINI
            count = -(-len(body) // _MINI)
            entry["start"] = first if body else _END
            minifat += [first + i + 1 for i in range(count - 1)] + ([_END] if count else [])
            mini_stream += body + bytes(count * _MINI - len(body))

    # sectors after the FAT: directory, mini FAT, mini stream, then the large streams
    def sectors_for(size: int) -> int:
        return -(-size // _SECTOR)

    directory_size = -(-len(entries) // 4) * _SECTOR
    minifat_size = len(minifat) * 4
    large = [e for e in entries if e["kind"] == _STREAM and len(streams[e["path"]]) >= _CUTOFF]
    content = (sectors_for(directory_size) + sectors_for(minifat_size) + sectors_for(len(mini_stream))
               + sum(sectors_for(len(streams[e["path"]])) for e in large))
    n_fat = 1
    while n_fat * (_SECTOR // 4) < n_fat + content:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file: more than 109 FAT sectors (about 7 MB) needs DIFAT sectors")
    fat = [_FATSECT] * n_fat
    body = bytearray()

    def place(data: bytes) -> int:
        if not data:
            return _END
        first = len(fat)
        count = sectors_for(len(data))
        fat.extend([first + i + 1 for i in range(count - 1)] + [_END])
        body.extend(data + bytes(count * _SECTOR - len(data)))
        return first

    directory_at = len(fat)
    place(bytes(directory_size))  # written below, once every start sector is known
    minifat_at = place(b"".join(n.to_bytes(4, "little") for n in minifat))
    entries[0]["start"], entries[0]["size"] = place(bytes(mini_stream)), len(mini_stream)
    for entry in large:
        entry["start"] = place(streams[entry["path"]])
    fat += [_FREE] * (n_fat * (_SECTOR // 4) - len(fat))

    directory = bytearray()
    for entry in entries:
        name = entry["name"].encode("utf-16-le") + b"\x00\x00"
        size = entry.get("size", len(streams[entry["path"]]) if entry["kind"] == _STREAM else 0)
        start = entry.get("start", 0)
        directory += (name.ljust(64, b"\x00")
                      + struct.pack("<HBB3I", len(name), entry["kind"], entry.get("colour", _BLACK),
                                    entry.get("left", _NOSTREAM), entry.get("right", _NOSTREAM),
                                    entry.get("child", _NOSTREAM))
                      + bytes(16 + 4 + 8 + 8)  # CLSID, state bits, creation and modification time
                      + struct.pack("<IQ", start, size))
    while len(directory) < directory_size:  # unused entries: no name, no siblings, no child
        directory += bytes(68) + struct.pack("<3I", _NOSTREAM, _NOSTREAM, _NOSTREAM) + bytes(48)
    offset = (directory_at - n_fat) * _SECTOR
    body[offset:offset + directory_size] = directory

    header = (_SIGNATURE + bytes(16)
              + struct.pack("<5H", 0x003E, 0x0003, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<9I", 0, n_fat, directory_at, 0, _CUTOFF, minifat_at,
                            len(minifat) and sectors_for(minifat_size), _END, 0)
              + struct.pack("<109I", *(list(range(n_fat)) + [_FREE] * (109 - n_fat))))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    return header + fat_bytes + bytes(body)


# ---------------------------------------------------------------- MS-OVBA: the project's module lists

_PROJECTVERSION, _PROJECTCODEPAGE, _PROJECTMODULES = 0x0009, 0x0003, 0x000F
_MODULENAME, _MODULESTREAMNAME, _MODULEOFFSET, _MODULETYPE_PROCEDURAL = 0x0019, 0x001A, 0x0031, 0x0021
_MODULE_END = 0x002B


def _dir_records(dir_stream: bytes) -> list[tuple[int, bytes]]:
    """The decompressed ``dir`` stream as (record id, the bytes after the id), in order."""
    records, i = [], 0
    while i < len(dir_stream):
        record_id, size = struct.unpack_from("<HI", dir_stream, i)
        if record_id == _PROJECTVERSION:  # its Size field says 4, but 6 bytes follow (MS-OVBA 2.3.4.2.1.11)
            size = 6
        records.append((record_id, dir_stream[i + 2:i + 6 + size]))
        i += 6 + size
    if i != len(dir_stream):
        raise ValueError("VBA dir stream: the last record runs past its end")
    return records


def _dir_stream(records: list[tuple[int, bytes]]) -> bytes:
    return b"".join(record_id.to_bytes(2, "little") + rest for record_id, rest in records)


def _module_blocks(records: list[tuple[int, bytes]]) -> list[tuple[int, int]]:
    """[first, last] record indexes of each MODULE record (from MODULENAME to its terminator)."""
    blocks, start = [], None
    for i, (record_id, _) in enumerate(records):
        if record_id == _MODULENAME and start is None:
            start = i
        elif record_id == _MODULE_END and start is not None:
            blocks.append((start, i))
            start = None
    return blocks


def _field(records, block, record_id) -> bytes:
    first, last = block
    for rid, rest in records[first:last + 1]:
        if rid == record_id:
            return rest[4:]
    raise ValueError(f"VBA dir stream: a module without record 0x{record_id:04X}")


def _modules(streams: dict[str, bytes]) -> tuple[list[tuple[int, bytes]], str, dict[str, tuple[int, int]]]:
    """The dir stream's records, the project's encoding and each module's block by its name."""
    records = _dir_records(decompress(streams["VBA/dir"]))
    encoding = _codepage(records)
    blocks = {_field(records, b, _MODULENAME).decode(encoding): b for b in _module_blocks(records)}
    return records, encoding, blocks


def module_source(streams: dict[str, bytes], name: str) -> str:
    """The source text of module ``name`` (as the VBA editor would show it, attributes included)."""
    records, encoding, blocks = _modules(streams)
    stream = _field(records, blocks[name], _MODULESTREAMNAME).decode(encoding)
    offset = int.from_bytes(_field(records, blocks[name], _MODULEOFFSET), "little")
    return decompress(streams[f"VBA/{stream}"][offset:]).decode(encoding)


def module_names(streams: dict[str, bytes]) -> list[str]:
    return list(_modules(streams)[2])


def _codepage(records) -> str:
    for record_id, rest in records:
        if record_id == _PROJECTCODEPAGE:
            return f"cp{int.from_bytes(rest[4:6], 'little')}"
    raise ValueError("VBA dir stream: no PROJECTCODEPAGE record")


def remove_standard_module(streams: dict[str, bytes], name: str) -> dict[str, bytes]:
    """``streams`` of a source-only VBA project without the standard module ``name``: its MODULE
    record, its lines in PROJECT and PROJECTwm, and its stream go; everything else is kept."""
    vba_project = streams.get("VBA/_VBA_PROJECT", b"")
    if vba_project[2:4] != b"\xff\xff":
        raise ValueError("the VBA project carries compiled code (its _VBA_PROJECT version is not 0xFFFF): "
                         "it cannot be edited without Office")
    records, encoding, blocks = _modules(streams)
    if name not in blocks:
        raise ValueError(f"the VBA project has no module {name!r}")
    first, last = blocks[name]
    if not any(rid == _MODULETYPE_PROCEDURAL for rid, _ in records[first:last + 1]):
        raise ValueError(f"the VBA module {name!r} is a document or class module, not a standard one")
    stream = _field(records, (first, last), _MODULESTREAMNAME).decode(encoding)
    del records[first:last + 1]
    (count_at,) = [i for i, (rid, _) in enumerate(records) if rid == _PROJECTMODULES]
    count = int.from_bytes(records[count_at][1][4:6], "little")
    records[count_at] = (_PROJECTMODULES, records[count_at][1][:4] + (count - 1).to_bytes(2, "little"))

    project = _without_project_lines(streams["PROJECT"], name.encode(encoding))
    wm_entries = _project_wm_entries(streams["PROJECTwm"])
    wm_kept = [e for e in wm_entries if e[0] != name.encode(encoding)]
    if len(wm_entries) - len(wm_kept) != 1:
        raise ValueError(f"the PROJECTwm stream does not name {name!r} once")

    edited = {path: body for path, body in streams.items() if path != f"VBA/{stream}"}
    edited["VBA/dir"] = compress(_dir_stream(records))
    edited["PROJECT"] = project
    edited["PROJECTwm"] = b"".join(mbcs + b"\x00" + utf16 + b"\x00\x00" for mbcs, utf16 in wm_kept) + b"\x00\x00"
    return edited


def _without_project_lines(project: bytes, name: bytes) -> bytes:
    """PROJECT (MS-OVBA 2.3.1) without ``Module=name`` and, under [Workspace], ``name=…``."""
    lines, kept, section = project.split(b"\r\n"), [], b""
    for line in lines:
        if line.startswith(b"["):
            section = line
        if line == b"Module=" + name or (section == b"[Workspace]" and line.startswith(name + b"=")):
            continue
        kept.append(line)
    if b"Module=" + name not in lines:
        raise ValueError(f"the PROJECT stream does not list {name.decode('latin-1')!r} as a module")
    return b"\r\n".join(kept)


def _project_wm_entries(project_wm: bytes) -> list[tuple[bytes, bytes]]:
    """PROJECTwm (MS-OVBA 2.3.3): (MBCS name, UTF-16 name) pairs, each NUL-ended, then two NULs."""
    entries, i = [], 0
    while project_wm[i:i + 2] != b"\x00\x00":
        mbcs_end = project_wm.index(b"\x00", i)
        j = mbcs_end + 1
        while project_wm[j:j + 2] != b"\x00\x00":
            j += 2
            if j >= len(project_wm):
                raise ValueError("PROJECTwm: a name without its end")
        entries.append((project_wm[i:mbcs_end], project_wm[mbcs_end + 1:j]))
        i = j + 2
    if i + 2 != len(project_wm):
        raise ValueError("PROJECTwm: bytes after its end")
    return entries

