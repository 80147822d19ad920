from tests.helpers import Api


def test_entities_list_shape(api: Api) -> None:
    response = api.as_entity(None).get("/entities")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["meta"]["entity"]["id"] is None
    assert body["data"][0]["name"] == "Main Facility"


def test_users_list(api: Api) -> None:
    response = api.get("/users")
    assert response.status_code == 200, response.text
    assert response.json()["meta"]["pagination"]["total"] == 1
