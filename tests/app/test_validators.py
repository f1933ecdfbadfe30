import pytest

from app.validators import business_id_check_digit, is_valid_business_id, is_valid_municipality_code


@pytest.mark.parametrize("value", ["0831312-4", "0920632-0", "2077474-0", " 0831312-4 ", "831312-4"])
def test_valid_business_ids_pass(value):
    assert is_valid_business_id(value)


@pytest.mark.parametrize("value", ["0831312-5", "0920632-1", "2077474-9"])
def test_wrong_check_digit_fails(value):
    assert not is_valid_business_id(value)


def test_remainder_one_has_no_valid_check_digit():
    # 0000001: 1*2 = 2 -> remainder 2 -> check 9; find a number whose remainder is 1.
    digits = next(
        f"{n:07d}"
        for n in range(1, 100)
        if sum(int(d) * w for d, w in zip(f"{n:07d}", (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11 == 1
    )
    assert business_id_check_digit(digits) is None
    assert not any(is_valid_business_id(f"{digits}-{c}") for c in range(10))


def test_remainder_zero_gives_zero():
    assert business_id_check_digit("2077474") == 0


@pytest.mark.parametrize("value", ["", "0831312", "08313124", "0831312_4", "abcdefg-h", "0831312-44", "1-1"])
def test_malformed_business_ids_fail(value):
    assert not is_valid_business_id(value)


@pytest.mark.parametrize(
    ("value", "ok"), [("092", True), ("049", True), ("92", False), ("0920", False), ("09a", False)]
)
def test_municipality_codes(value, ok):
    assert is_valid_municipality_code(value) is ok
