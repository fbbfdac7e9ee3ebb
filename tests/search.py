"""Search boxes post (portal/search.py): these helpers search as the page's form does."""


def search_url(client, url, data) -> str:
    """POST the search form; return the page it sends the browser to (with no search text in it)."""
    response = client.post(url, data)
    assert response.status_code == 302, response.status_code
    location = response["Location"]
    text = data.get("q")
    assert not text or str(text) not in location, location
    return location


def search(client, url, data):
    """POST the search form and open the page it sends the browser to."""
    return client.get(search_url(client, url, data))
