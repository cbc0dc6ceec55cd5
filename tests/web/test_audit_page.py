"""The /audit page: the auditor sees the filtered events in Lao or English; another role
gets a clear refusal."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import bearer


def test_auditor_reads_the_trail_and_others_are_refused(client: TestClient) -> None:
    auditor = bearer(client, "auditor")
    page = client.get("/audit", params={"actor": "system", "limit": 2}, headers=auditor)
    assert page.status_code == 200, page.text
    assert "ບັນທຶກການກວດສອບ" in page.text  # Lao is the default language
    assert page.text.count('<tr data-id="') == 2
    assert 'id="audit-next"' in page.text
    assert 'id="audit-previous"' not in page.text
    assert 'id="nav-audit"' in page.text  # the menu shows the page to those who may read it

    client.cookies.set("laosp_lang", "en")
    english = client.get("/audit", params={"actor": "system", "offset": 50}, headers=auditor)
    assert english.status_code == 200, english.text
    assert "Audit trail" in english.text
    assert 'id="audit-previous"' in english.text

    data = client.get("/audit.json", params={"actor": "system", "limit": 2}, headers=auditor)
    assert data.status_code == 200
    assert data.json()["total"] >= 7  # one event per seeded user at least

    analyst = client.get("/audit", headers=bearer(client, "analyst"))
    assert analyst.status_code == 403
    assert "Only an auditor or an administrator" in analyst.text
    assert 'id="nav-audit"' not in analyst.text
    assert client.get("/audit.json", headers=bearer(client, "analyst")).status_code == 403
