"""#19.3: the price-book check reports every problem, always, with its key path: a valid book is
mutated (a key dropped, a wrong type, a negative, a duplicate, a bad date) and each mutation must
be reported, alone and combined with any others."""

import copy
import tomllib

from hypothesis import given, strategies as st

from xlpricing.pricebook import PRICEBOOK_DIR, _Checker

BOOKS = {p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(PRICEBOOK_DIR.glob("*.toml"))}


def _set(path: tuple, value):
    def mutate(d):
        *parents, key = path
        for p in parents:
            d = d[p]
        d[key] = value
    return mutate


def _drop(path: tuple):
    def mutate(d):
        *parents, key = path
        for p in parents:
            d = d[p]
        del d[key]
    return mutate


def _duplicate_addon(d):
    d["addons"].append(copy.deepcopy(d["addons"][0]))


# (what is done, how, the key path the report must name). Each touches its own key, so any
# combination is as many independent problems.
MUTATIONS = [
    ("drop meta.name_zh", _drop(("meta", "name_zh")), "meta.name_zh: missing"),
    ("drop meta.name_en", _drop(("meta", "name_en")), "meta.name_en: missing"),
    ("source_url a number", _set(("meta", "source_url"), 42), "meta.source_url: must be non-empty text"),
    ("impossible date", _set(("meta", "effective_to"), "2023-02-30"), "meta.effective_to: must be a date"),
    ("negative package price", _set(("editions", 1, "monthly_price"), -999), "editions[1].monthly_price: must not be negative"),
    ("text for a quota", _set(("editions", 2, "free_peak_dau"), "lots"), "editions[2].free_peak_dau: must be a whole number"),
    ("drop a block size", _drop(("overage", 0, "block_size")), "overage[0].block_size: missing"),
    ("negative block price", _set(("overage", 1, "block_price"), -1000), "overage[1].block_price: must not be negative"),
    ("duplicate add-on", _duplicate_addon, "duplicate code"),
    ("drop the currency", _drop(("meta", "currency")), "meta.currency"),
]


def problems_of(data: dict) -> list[str]:
    checker = _Checker()
    checker.price_book(data, "")
    return checker.problems


def test_every_shipped_book_is_valid_as_it_stands():
    for name, data in BOOKS.items():
        assert problems_of(copy.deepcopy(data)) == [], name


def test_each_mutation_alone_is_reported_with_its_key_path():
    for what, mutate, expected in MUTATIONS:
        data = copy.deepcopy(BOOKS["tencent-im-cn-seed"])
        mutate(data)
        found = problems_of(data)
        assert any(expected in p for p in found), (what, found)


@given(st.sets(st.sampled_from(range(len(MUTATIONS))), min_size=2),
       st.sampled_from(sorted(n for n, d in BOOKS.items() if len(d.get("editions", [])) >= 3
                              and len(d.get("overage", [])) >= 2 and d.get("addons"))))
def test_mutations_combined_are_each_reported(chosen, book):
    data = copy.deepcopy(BOOKS[book])
    for i in sorted(chosen):
        MUTATIONS[i][1](data)
    found = problems_of(data)
    missing = [MUTATIONS[i][0] for i in chosen if not any(MUTATIONS[i][2] in p for p in found)]
    assert not missing, (missing, found)
