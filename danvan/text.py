"""Vietnamese text: a folded form for diacritic-insensitive search, a sort key that orders as
Vietnamese does, and the strings no database can store."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any


def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D")


class _FoldTable(dict[int, str]):
    """A `str.translate` table filled on demand: each distinct character is folded once."""

    def __missing__(self, codepoint: int) -> str:
        folded = _fold_char(chr(codepoint))
        self[codepoint] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Fold text for search: marks stripped, đ→d, lower case, spaces collapsed.

    "Dân vận khéo" and "dan van kheo" fold to the same string, so a folded column lets
    SQLite and PostgreSQL match without a Vietnamese collation. Folding works character by
    character (NFD only splits off the marks it then drops), so a translate table serves
    NFC and NFD input alike, about ten times faster than decomposing every string.
    """
    if not text.isascii():
        text = text.translate(_FOLD_TABLE)
    return " ".join(text.lower().split())


# Vietnamese alphabetical order, with f, j, w and z (foreign words) where Latin puts them.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET, start=1)}
_OTHER_LETTERS = len(_ALPHABET) + 1  # letters outside the alphabet sort after it, by code point

# Marks that make a letter of its own: ă â ê ô ơ ư.
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
_MODIFIED = {
    ("a", _BREVE): "ă",
    ("a", _CIRCUMFLEX): "â",
    ("e", _CIRCUMFLEX): "ê",
    ("o", _CIRCUMFLEX): "ô",
    ("o", _HORN): "ơ",
    ("u", _HORN): "ư",
}

# Tones in dictionary order: none (0), huyền, hỏi, ngã, sắc, nặng. Any other mark (ü, ç…)
# weighs its code point, after the tones.
_TONE = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

# A token: (0 for a run of digits, 1 for a word), its primary weights, its secondary weights.
SortToken = tuple[int, tuple[int, ...], tuple[int, ...]]
SortKey = tuple[tuple[SortToken, ...], tuple[int, ...], str]


def sort_key(text: str) -> SortKey:
    """A key that orders strings as Vietnamese dictionaries do: ``sorted(names, key=sort_key)``.

    The text is cut into words (syllables) and runs of digits; spaces and punctuation only
    separate them. Words compare one after the other, as in a dictionary ("ma", "ma cà rồng",
    "mà"): first by their letters in the Vietnamese alphabet (a ă â b c d đ e ê … o ô ơ … u ư
    … y, case-insensitive), then by their tone (none, huyền, hỏi, ngã, sắc, nặng), wherever the
    mark sits ("hoà" = "hòa"). Runs of digits come before words and compare by value
    ("Phường 2" before "Phường 10"). Case then decides (lower case first), and last the NFC text
    itself, so the order is total. NFC and NFD input give the same key.
    """
    tokens: list[SortToken] = []
    cases: list[int] = []
    # Whitespace ends every token, so a text's key is its chunks' keys joined; syllables
    # repeat across names ("Phường", "Xã", "Hòa"), so each chunk is weighed once.
    for chunk in text.split():
        chunk_tokens, chunk_cases = _chunk_key(chunk)
        tokens.extend(chunk_tokens)
        cases.extend(chunk_cases)
    return tuple(tokens), tuple(cases), unicodedata.normalize("NFC", text)


@lru_cache(maxsize=65_536)
def _chunk_key(chunk: str) -> tuple[tuple[SortToken, ...], tuple[int, ...]]:
    decomposed = unicodedata.normalize("NFD", chunk)
    tokens: list[SortToken] = []
    cases: list[int] = []
    letters: list[int] = []
    tones: list[int] = []
    digits: list[int] = []

    def end_word() -> None:
        if letters:
            tokens.append((1, tuple(letters), tuple(tones)))
            letters.clear()
            tones.clear()

    def end_number() -> None:
        if digits:
            value = 0
            for digit in digits:
                value = value * 10 + digit
            tokens.append((0, (value,), ()))
            digits.clear()

    position, length = 0, len(decomposed)
    while position < length:
        char = decomposed[position]
        position += 1
        marks: list[str] = []
        while position < length and unicodedata.combining(decomposed[position]):
            marks.append(decomposed[position])
            position += 1
        if char.isdecimal():
            end_word()
            digits.append(unicodedata.decimal(char))
            continue
        end_number()
        if not char.isalpha():
            end_word()
            continue
        base = char.lower()
        for mark in marks:
            modified = _MODIFIED.get((base, mark))
            if modified is not None:
                base = modified
            else:
                tones.append(_TONE.get(mark, ord(mark)))
        letters.append(_LETTER_RANK.get(base, _OTHER_LETTERS + ord(base)))
        cases.append(1 if char.isupper() else 0)
    end_word()
    end_number()
    return tuple(tokens), tuple(cases)


# ---- the sort key as a string, for ORDER BY in a database --------------------------------

_END_OF_TOKENS = "\x10"  # below every token's first character: a prefix sorts first
_END_OF_TOKEN = " "  # below the letter/tone weights: a shorter token sorts first
_END_OF_LETTERS = "!"  # between a word's letters and its tones, below every weight
_SMALL_WEIGHT_LIMIT = 60


def _weight(value: int) -> str:
    # Alphabet ranks and tones are small: one character each. Anything else (letters outside
    # the alphabet, other marks) follows them as "~" plus a fixed-width code.
    if value < _SMALL_WEIGHT_LIMIT:
        return chr(0x40 + value)
    return f"~{value:06x}"


def _token_string(token: SortToken) -> str:
    kind, primary, secondary = token
    if kind == 0:
        digits = str(primary[0])
        body = f"{len(digits):05d}{digits}"
    else:
        body = "".join(_weight(value) for value in primary)
    return f"{kind}{body}{_END_OF_LETTERS}{''.join(_weight(t) for t in secondary)}{_END_OF_TOKEN}"


def sort_string(text: str) -> str:
    """`sort_key` as a string whose byte order is the key's order, for a database column.

    Compare it bytewise (SQLite's default; `COLLATE "C"` on PostgreSQL), never with a
    locale's collation, which skips spaces and punctuation.
    """
    tokens, cases, nfc = sort_key(text)
    words = "".join(_token_string(token) for token in tokens)
    return f"{words}{_END_OF_TOKENS}{''.join(str(case) for case in cases)}{_END_OF_TOKENS}{nfc}"


def storable(text: str) -> bool:
    """Whether a database can keep `text`: PostgreSQL refuses the NUL character in text
    columns, and no UTF-8 column takes a lone surrogate (JSON's `"\\ud800"` decodes to one)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable_paths(value: Any, path: str = "") -> list[str]:
    """The dotted paths (`entries.3.note`) of the strings in a decoded JSON document, keys
    included, that a database cannot keep."""
    found: list[str] = []
    if isinstance(value, str):
        if not storable(value):
            found.append(path)
    elif isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            if not storable(name):
                # The path is sent back to the caller: it must itself be storable.
                name = ascii(name)
                found.append(f"{path}.{name}" if path else name)
            found += unstorable_paths(item, f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += unstorable_paths(item, f"{path}.{index}" if path else str(index))
    return found
