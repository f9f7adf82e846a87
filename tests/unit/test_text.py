"""Vietnamese text: the folded search form and the dictionary sort key."""

from __future__ import annotations

import random
import unicodedata

import pytest

from danvan.text import fold, sort_key, sort_string


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def ordered(*words: str) -> list[str]:
    """The words sorted by sort_key, from a shuffled copy so the input order cannot help."""
    shuffled = list(words)
    random.Random(9).shuffle(shuffled)
    shuffled.reverse()
    return sorted(shuffled, key=sort_key)


# --- fold --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Dân vận khéo", "dan van kheo"),
        ("ĐẮK LẮK", "dak lak"),
        ("Thừa Thiên Huế", "thua thien hue"),
        ("  Bà Rịa \t Vũng\nTàu  ", "ba ria vung tau"),
        ("đường", "duong"),
    ],
)
def test_fold_strips_marks_maps_d_bar_and_lowers(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_of_nfd_input_is_the_same_as_of_nfc() -> None:
    text = "Dân vận khéo ở Quảng Ngãi"
    assert nfd(text) != text
    assert fold(nfd(text)) == fold(text) == "dan van kheo o quang ngai"


def test_fold_collapses_runs_of_whitespace() -> None:
    assert fold("Hà   Nội\u00a0\u00a0mới") == "ha noi moi"


# --- sort_key: letters ----------------------------------------------------------------------


def test_d_bar_is_a_letter_after_d_so_da_nang_comes_after_duong_and_before_gia_lai() -> None:
    assert ordered("Gia Lai", "Đà Nẵng", "Dương") == ["Dương", "Đà Nẵng", "Gia Lai"]


def test_a_breve_comes_after_a_and_before_a_circumflex() -> None:
    assert ordered("Âm", "Ăn", "An") == ["An", "Ăn", "Âm"]


def test_o_circumflex_comes_after_o_and_before_o_horn() -> None:
    assert ordered("Ơ", "Ô", "O", "P") == ["O", "Ô", "Ơ", "P"]
    assert ordered("ơn", "ông", "ong") == ["ong", "ông", "ơn"]


def test_u_horn_comes_after_u_and_before_v() -> None:
    assert ordered("V", "Ư", "U") == ["U", "Ư", "V"]
    assert ordered("vui", "ưng", "uống") == ["uống", "ưng", "vui"]


def test_e_circumflex_comes_after_e_and_before_g() -> None:
    assert ordered("gà", "ếch", "em") == ["em", "ếch", "gà"]


def test_the_whole_alphabet_in_order() -> None:
    alphabet = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")
    assert ordered(*alphabet) == alphabet


def test_foreign_letters_f_j_w_z_sit_where_latin_puts_them() -> None:
    assert ordered("zoom", "web", "vé", "jazz", "karaoke", "ích", "fan", "ếch", "gas", "xe") == [
        "ếch",
        "fan",
        "gas",
        "ích",
        "jazz",
        "karaoke",
        "vé",
        "web",
        "xe",
        "zoom",
    ]


def test_letters_decide_before_tones() -> None:
    # "má" has a stronger tone than "mai" but fewer letters: letters decide first.
    assert ordered("mai", "má") == ["má", "mai"]
    assert ordered("mạ", "mác") == ["mạ", "mác"]


# --- sort_key: tones ------------------------------------------------------------------------


def test_tones_order_none_huyen_hoi_nga_sac_nang() -> None:
    assert ordered("mạ", "má", "mã", "mả", "mà", "ma") == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_tones_order_on_a_modified_vowel() -> None:
    assert ordered("mộ", "mố", "mỗ", "mổ", "mồ", "mô") == ["mô", "mồ", "mổ", "mỗ", "mố", "mộ"]


def test_the_tone_counts_whatever_vowel_carries_it() -> None:
    # Old ("hoà") and new ("hòa") placements are the same word: both sort before "hoá".
    assert ordered("hoá", "hòa", "hoạ", "hoà", "hoa") == ["hoa", "hoà", "hòa", "hoá", "hoạ"]
    assert sort_key("Hoà Bình")[:2] == sort_key("Hòa Bình")[:2]


def test_words_compare_one_after_another_as_in_a_dictionary() -> None:
    # A dictionary lists every "ma …" compound before the entry "mà".
    assert ordered("mà", "ma cà rồng", "ma", "mà cả", "ma túy") == [
        "ma",
        "ma cà rồng",
        "ma túy",
        "mà",
        "mà cả",
    ]


# --- sort_key: case, digits, normal forms ----------------------------------------------------


def test_case_only_breaks_ties() -> None:
    assert ordered("An Giang", "an khánh") == ["An Giang", "an khánh"]
    assert ordered("HÀ", "hà", "Hà") == ["hà", "Hà", "HÀ"]
    assert ordered("ba", "Bà") == ["ba", "Bà"]


def test_digits_come_before_letters() -> None:
    assert ordered("Phường An Phú", "Phường 3") == ["Phường 3", "Phường An Phú"]
    assert ordered("a", "9") == ["9", "a"]


def test_runs_of_digits_compare_by_value() -> None:
    assert ordered("Phường 10", "Phường 2", "Phường 1", "Quận 12", "Quận 3") == [
        "Phường 1",
        "Phường 2",
        "Phường 10",
        "Quận 3",
        "Quận 12",
    ]


def test_spaces_and_punctuation_only_separate_words() -> None:
    assert sort_key("Bà Rịa - Vũng Tàu")[:2] == sort_key("Bà Rịa Vũng Tàu")[:2]
    assert ordered("Bà Rịa - Vũng Tàu", "Bạc Liêu", "Ba Vì") == [
        "Ba Vì",
        "Bà Rịa - Vũng Tàu",
        "Bạc Liêu",
    ]


def test_nfd_input_gets_the_same_key_as_nfc() -> None:
    for text in ("Đà Nẵng", "Thừa Thiên Huế", "Quảng Ngãi", "mộ", "Ưu"):
        assert nfd(text) != text
        assert sort_key(nfd(text)) == sort_key(text)


def test_nfd_and_nfc_words_sort_together() -> None:
    words = ["mạ", "má", "mã", "mả", "mà", "ma"]
    mixed = [nfd(w) if i % 2 else w for i, w in enumerate(words)]
    assert [unicodedata.normalize("NFC", w) for w in sorted(mixed, key=sort_key)] == [
        "ma",
        "mà",
        "mả",
        "mã",
        "má",
        "mạ",
    ]


def test_the_order_is_total_and_the_key_differs_for_different_texts() -> None:
    assert sort_key("Hoà") != sort_key("Hòa")
    assert sort_key("Hà  Nội") != sort_key("Hà Nội")
    assert sort_key("") < sort_key("a")


def test_letters_outside_the_alphabet_do_not_break_the_key() -> None:
    assert ordered("Zürich", "Zurich", "Ωmega", "ça va", "cà") == [
        "cà",
        "ça va",
        "Zurich",
        "Zürich",
        "Ωmega",
    ]


# --- sort_key: a realistic list --------------------------------------------------------------

PROVINCES = [
    "An Giang",
    "Bà Rịa - Vũng Tàu",
    "Bạc Liêu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Dương",
    "Bình Định",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cao Bằng",
    "Cần Thơ",
    "Đà Nẵng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Dương",
    "Hải Phòng",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
    "Lai Châu",
    "Lạng Sơn",
    "Lào Cai",
    "Lâm Đồng",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thành phố Hồ Chí Minh",
    "Thừa Thiên Huế",
    "Tiền Giang",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
]


def test_the_63_provinces_sort_in_vietnamese_alphabetical_order() -> None:
    assert len(PROVINCES) == 63
    assert ordered(*PROVINCES) == PROVINCES


def test_the_provinces_sort_the_same_when_written_in_nfd() -> None:
    assert ordered(*map(nfd, PROVINCES)) == [nfd(p) for p in PROVINCES]


# --- sort_string: the key as a string for a database column ---------------------------------

# Names whose order is subtle: tones, đ, ư, ơ, ă, â, ê, ô, numbers, case, prefixes, punctuation,
# foreign letters and marks, spaces, NFD spellings.
SORT_STRING_SAMPLES = [
    "",
    " ",
    "a",
    "A",
    "à",
    "ă",
    "â",
    "ma",
    "Ma",
    "MA",
    "mà",
    "mả",
    "mã",
    "má",
    "mạ",
    "mai",
    "mác",
    "ma cà rồng",
    "ma túy",
    "mà cả",
    "ma-cà-rồng",
    "Dương",
    "Đà Nẵng",
    "đà nẵng",
    "Đắk Lắk",
    "Đắk Nông",
    "Gia Lai",
    "Ư",
    "Ưu",
    "ưng",
    "uống",
    "vui",
    "Ơ",
    "ơn",
    "ông",
    "ong",
    "hoa",
    "hoà",
    "hòa",
    "hoá",
    "hoạ",
    "Hoà Bình",
    "Hòa Bình",
    "Phường 1",
    "Phường 2",
    "Phường 10",
    "Phường 02",
    "Phường 2A",
    "Phường An Phú",
    "Quận 3",
    "Quận 12",
    "Quận 12 mới",
    "9",
    "10",
    "Bà Rịa - Vũng Tàu",
    "Bà Rịa Vũng Tàu",
    "Bạc Liêu",
    "Ba Vì",
    "Zürich",
    "Zurich",
    "Ωmega",
    "ça va",
    "cà",
    "fan",
    "jazz",
    "web",
    "zoom",
    "Thành phố Hồ Chí Minh",
    "Thanh Hóa",
    "Thừa Thiên Huế",
    "Thái Bình",
]
SORT_STRING_SAMPLES += [nfd(text) for text in SORT_STRING_SAMPLES if nfd(text) != text][::3]


def agrees(a: str, b: str) -> bool:
    """sort_string's byte order agrees with sort_key's order for a and b, both ways."""
    key_a, key_b = sort_key(a), sort_key(b)
    bytes_a, bytes_b = sort_string(a).encode(), sort_string(b).encode()
    return (key_a < key_b, key_a == key_b, key_a > key_b) == (
        bytes_a < bytes_b,
        bytes_a == bytes_b,
        bytes_a > bytes_b,
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ma", "mà"),
        ("ma cà rồng", "mà"),
        ("ma", "ma cà rồng"),
        ("mai", "má"),
        ("mạ", "mác"),
        ("Dương", "Đà Nẵng"),
        ("đ", "e"),
        ("u", "ư"),
        ("ư", "v"),
        ("o", "ơ"),
        ("ô", "ơ"),
        ("Phường 2", "Phường 10"),
        ("Phường 9", "Phường An Phú"),
        ("Quận 3", "Quận 12"),
        ("hoa", "hoà"),
        ("hoà", "hòa"),
        ("hà", "Hà"),
        ("Hà", "HÀ"),
        ("An Giang", "an khánh"),
        ("Bà Rịa - Vũng Tàu", "Bà Rịa Vũng Tàu"),
        ("Zurich", "Zürich"),
        ("cà", "ça va"),
        ("", "a"),
        ("", " "),
    ],
)
def test_sort_string_orders_a_pair_as_sort_key_does(a: str, b: str) -> None:
    assert agrees(a, b)
    assert agrees(b, a)
    assert agrees(nfd(a), b)


def test_sort_string_orders_every_pair_of_the_samples_as_sort_key_does() -> None:
    disagreements = [
        (a, b) for a in SORT_STRING_SAMPLES for b in SORT_STRING_SAMPLES if not agrees(a, b)
    ]
    assert disagreements == []


def test_sort_string_agrees_with_sort_key_on_random_names() -> None:
    rng = random.Random(20250701)
    parts = [*SORT_STRING_SAMPLES, "0", "00", "7", "100", "-", ",", "  ", "\u0301", "\u0323"]

    def name() -> str:
        return "".join(rng.choice(parts) for _ in range(rng.randint(0, 4)))

    disagreements = [(a, b) for a, b in ((name(), name()) for _ in range(5000)) if not agrees(a, b)]
    assert disagreements == []


def test_sort_string_is_the_same_for_nfd_and_nfc_but_not_for_different_texts() -> None:
    assert sort_string(nfd("Thừa Thiên Huế")) == sort_string("Thừa Thiên Huế")
    assert sort_string("Hoà") != sort_string("Hòa")
    assert sort_string("Hà  Nội") != sort_string("Hà Nội")


def test_names_sorted_by_sort_string_are_in_dictionary_order() -> None:
    expected = [
        "Ba Vì",
        "Bà Rịa - Vũng Tàu",
        "Bạc Liêu",
        "Bắc Giang",
        "Dương",
        "Đà Nẵng",
        "Đắk Lắk",
        "ma",
        "ma cà rồng",
        "mà",
        "Phường 2",
        "Phường 10",
        "Phường An Phú",
        "Phường Ư",
        "Phường Ưu",
        "Thái Bình",
        "Thanh Hóa",
        "Thành phố Hồ Chí Minh",
        "Thừa Thiên Huế",
    ]
    shuffled = list(expected)
    random.Random(4).shuffle(shuffled)
    assert sorted(shuffled, key=sort_string) == expected
    assert sorted(shuffled, key=lambda text: sort_string(text).encode()) == expected


def test_sort_string_puts_case_and_tone_variants_in_dictionary_order() -> None:
    names = ["mạ", "MA", "má", "mã", "Ma", "mả", "mà", "ma"]
    assert sorted(names, key=sort_string) == ["ma", "Ma", "MA", "mà", "mả", "mã", "má", "mạ"]


def test_sort_string_orders_runs_of_a_thousand_digits_by_value() -> None:
    assert agrees("1" * 1000, "9" * 999)
