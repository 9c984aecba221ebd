def test_home_lists_the_seeded_catalogue(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"House Blend Beans" in response.data
