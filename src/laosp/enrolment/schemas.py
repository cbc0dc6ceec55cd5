"""What the enrolment service returns."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from laosp.models import Enrolment


class EnrolmentRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    scheme: str
    person_id: str | None
    household_id: str | None
    status: str
    start_date: dt.date
    end_date: dt.date | None

    @property
    def unit_id(self) -> str:
        return self.person_id or self.household_id or ""

    @classmethod
    def of(cls, enrolment: Enrolment) -> EnrolmentRead:
        return cls(
            id=enrolment.id,
            scheme=enrolment.scheme,
            person_id=enrolment.person_id,
            household_id=enrolment.household_id,
            status=enrolment.status,
            start_date=enrolment.start_date,
            end_date=enrolment.end_date,
        )
