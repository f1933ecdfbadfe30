from tests.test_access_matrix import MATRIX, objects  # noqa

def test_probe(objects, login_as, app):
    c = login_as("coordinator")
    for url in ["/meetings/99999999999999999999", "/items/9223372036854775808", "/api/v1/decisions?limit=%C2%B2",
                "/api/v1/meetings?year=%C2%B2", "/register?year=%C2%B2", "/api/v1/decisions?year=%C2%B2",
                "/providers/99999999999999999999999"]:
        print(url, c.get(url).status_code)
