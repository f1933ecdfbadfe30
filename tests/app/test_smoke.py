def test_home_page_is_finnish_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="fi">' in response.get_data(as_text=True)
