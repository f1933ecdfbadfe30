def test_dbg(app, people, login_as, caplog):
    c = login_as("municipality_admin")
    r = c.get("/profile/password")
    for rec in caplog.records:
        if rec.exc_text: print(rec.exc_text[-1500:])
    assert r.status_code == 200
