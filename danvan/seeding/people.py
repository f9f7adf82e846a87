"""Vietnamese people for the seeded records, from Faker's `vi_VN` lists.

Faker's `vi_VN` names are NFC, but its formats put the family name last ("Hạnh Trần"), add
titles ("Quý ông") and give men the middle name "Thị": a Vietnamese name is family, middle,
given ("Trần Thị Hạnh"), so the parts are taken from Faker and put in that order here, with
a middle name of the person's gender.
"""

from __future__ import annotations

import unicodedata

from faker import Faker

MIDDLE_NAMES_MALE = ("Văn", "Đức", "Quang", "Minh", "Hữu", "Xuân", "Thanh", "Công", "Anh")
MIDDLE_NAMES_FEMALE = ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Hồng", "Phương")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class People:
    """Names, ID numbers, phones and streets drawn from one seeded Faker."""

    def __init__(self, faker: Faker) -> None:
        self.faker = faker

    def name(self) -> str:
        random = self.faker.random
        if random.random() < 0.5:
            middle, given = random.choice(MIDDLE_NAMES_FEMALE), self.faker.first_name_female()
        else:
            middle, given = random.choice(MIDDLE_NAMES_MALE), self.faker.first_name_male()
        return nfc(f"{self.faker.last_name()} {middle} {given}")

    def id_number(self, province_code: str) -> str:
        """A CCCD number: the province of birth (3 digits), century and sex, year of birth
        (2 digits), then 6 digits."""
        random = self.faker.random
        born = random.randint(1945, 2006)
        century_sex = (0 if born < 2000 else 2) + random.randint(0, 1)
        serial = random.randint(0, 999_999)
        return f"{int(province_code):03d}{century_sex}{born % 100:02d}{serial:06d}"

    def phone(self) -> str:
        random = self.faker.random
        return f"0{random.choice('35789')}{random.randint(0, 99_999_999):08d}"

    def street(self) -> str:
        return nfc(self.faker.street_address())
