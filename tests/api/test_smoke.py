from domain.accounts.rules import Role


def test_me_answers_for_a_token(api_as):
    admin = api_as(Role.ADMIN)
    response = admin.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["role"] == "admin"


def test_no_credentials_is_a_401_problem(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401
