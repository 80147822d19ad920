"""The web app for people: server-rendered pages at `/` on the same services and permission rules as the API."""
