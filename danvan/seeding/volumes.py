"""How many records a year, nationally, and how they spread over the years.

Scale 1.0 is the national load of one year, for every year seeded: about 446,000 petitions
and 300,000 visits (issue 8). Models, exemplars and dialogues follow Hà Nội's figures
(DOMAIN.md) in proportion to its share of the population, about 8.5 of 100 million:

- models: 13,663 registered in Hà Nội in 2023 → about 160,700 a year;
- exemplars: Tây Hồ registered 72 for 66 models → 1.09 exemplars per model;
- dialogues: 2 city, 35 district and 525 commune conferences in six months → about 13,200
  a year, of which 0.4 % at province, 6.2 % at district and 93.4 % at commune level;
- supervision figures, entered by each province for each half-year that has ended (the
  six-month review): 10,665 supervision and 803 social-critique sessions in Hà Nội's six
  months, 408 inspections (38 public-duty, 370 others) in its year.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

#: Hà Nội's share of Vietnam's population (about 8.5 of about 100 million).
HANOI_SHARE = 0.085
FIRST_YEAR = 2019
LAST_YEAR = 2026


class Kind(StrEnum):
    """A kind of seeded record; each has its own progress bar and line in the summary."""

    MODELS = "models"
    EXEMPLARS = "exemplars"
    VISITS = "visits"
    PETITIONS = "petitions"
    DIALOGUES = "dialogues"
    FIGURES = "figures"  # a province's supervision figures for a half-year


ANNUAL: dict[Kind, float] = {
    Kind.MODELS: 13_663 / HANOI_SHARE,
    Kind.EXEMPLARS: 13_663 / HANOI_SHARE * 72 / 66,
    Kind.VISITS: 300_000,
    Kind.PETITIONS: 446_000,
    Kind.DIALOGUES: 2 * (2 + 35 + 525) / HANOI_SHARE,
}

#: The figures a province enters for a half-year, nationally a year (scale 1.0).
SUPERVISION_ANNUAL: dict[str, float] = {
    "supervision.sessions": 2 * 10_665 / HANOI_SHARE,
    "critique.sessions": 2 * 803 / HANOI_SHARE,
    "inspections.held": 408 / HANOI_SHARE,
}

#: The year the annual figures describe; other years move by the trends below.
ANCHOR_YEAR = 2023

#: Change a year: visits fell 5.7 % on the year before in Hà Nội's 2023 review; models kept
#: growing (24,254 registered in the first half of 2024 alone); the rest held steady.
TRENDS: dict[Kind, float] = {
    Kind.MODELS: 1.10,
    Kind.EXEMPLARS: 1.10,
    Kind.VISITS: 1 - 0.057,
    Kind.PETITIONS: 1.0,
    Kind.DIALOGUES: 1.0,
    Kind.FIGURES: 1.0,
}


class BadYears(ValueError):
    """A `--years` the seed cannot fill."""


@dataclass(frozen=True, slots=True)
class Years:
    first: int
    last: int

    @classmethod
    def parse(cls, text: str, today: date) -> Years:
        """``2019-2026`` or ``2024``; never past today's year."""
        first_text, _, last_text = text.partition("-")
        try:
            first = int(first_text)
            last = int(last_text) if last_text else first
        except ValueError as error:
            raise BadYears(f"--years takes FROM-TO, e.g. 2019-2026, not {text!r}") from error
        if first > last:
            raise BadYears(f"--years {text}: {first} is after {last}")
        if first < 1990:
            raise BadYears(f"--years {text}: the platform records years from 1990")
        if last > today.year:
            raise BadYears(f"--years {text}: {last} is in the future (today is {today})")
        return cls(first, last)

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.first, self.last + 1))

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"


def year_fraction(year: int, today: date) -> float:
    """How much of `year` has passed by `today` (the whole of a past year)."""
    if year < today.year:
        return 1.0
    start = date(year, 1, 1)
    return ((today - start).days + 1) / ((date(year + 1, 1, 1) - start).days)


def half_years(year: int, today: date) -> list[tuple[str, date, date]]:
    """The half-years of `year` that have ended by `today`: code, first and last day."""
    halves = [(f"{year}S1", date(year, 1, 1), date(year, 6, 30))]
    halves.append((f"{year}S2", date(year, 7, 1), date(year, 12, 31)))
    return [half for half in halves if half[2] <= today]


def count_for(kind: Kind, year: int, scale: float, today: date) -> int:
    """How many records of `kind` a year holds at `scale`, up to `today` (not the figures:
    one request per province and half-year, whatever the scale)."""
    trend = TRENDS[kind] ** (year - ANCHOR_YEAR)
    return round(ANNUAL[kind] * scale * trend * year_fraction(year, today))
