"""What a field device sends and reads about what it captured: one rule for its ids, capture times and places,
the photo upload's fields, and a stored file as the API shows it."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from flask import url_for
from flask_babel import gettext as _
from pydantic import BaseModel, BeforeValidator, Field, PlainSerializer, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from inspect_app.core.schemas import NotBlank, Schema
from inspect_app.models import EvidenceFile

CLIENT_ID_MAX = 64


def iso(value: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 in UTC with its offset (2026-11-28T08:30:00+00:00)."""
    return None if value is None else value.astimezone(UTC).isoformat()


# A time the server records: always shown in UTC with its offset.
UtcTime = Annotated[
    datetime,
    PlainSerializer(iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "description": "ISO 8601, UTC, with offset"}),
]


def _device_time(value) -> datetime:
    # ISO 8601 text with its offset only: not seconds since 1970, not a local time without its offset.
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise PydanticCustomError(
            "device_time", _("Give a date and time in ISO 8601 with its UTC offset, e.g. 2026-12-01T09:30:00+07:00.")
        )
    return value.astimezone(UTC)


# When the device captured something, as it says; kept as UTC. Latitude and longitude say where (WGS 84).
DeviceTime = Annotated[
    datetime,
    BeforeValidator(_device_time),
    Field(
        description="When the device captured it: ISO 8601 with its UTC offset", examples=["2026-12-01T09:30:00+07:00"]
    ),
]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, description="Degrees north (WGS 84)")]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, description="Degrees east (WGS 84)")]
ClientId = Annotated[
    NotBlank,
    StringConstraints(max_length=CLIENT_ID_MAX),
    Field(description="Made by the device (a UUID, say); a retry with the same id creates nothing and answers 200"),
]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]


class Location(Schema):
    """Where a device says it captured a file, if it says (a page's photo upload sends these as form fields)."""

    latitude: Latitude | None = None
    longitude: Longitude | None = None


class PhotoUpload(Schema):
    """The fields of a photo upload (multipart/form-data) beside the file itself."""

    client_id: ClientId
    captured_at: DeviceTime | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    sha256: Sha256 | None = Field(None, description="The file's SHA-256 as the device computed it: checked")
    csrf_token: str | None = Field(None, description="Or the X-CSRFToken header (a browser session only)")


class PhotoForm(PhotoUpload):
    """The multipart body as OpenAPI shows it: the file and its fields (a field sent empty counts as left out)."""

    file: Annotated[
        str,
        WithJsonSchema(
            {
                "type": "string",
                "contentMediaType": "application/octet-stream",
                "description": "JPEG, PNG or PDF (read from the content, not the name)",
            }
        ),
    ]


class Photo(BaseModel):
    """A stored file (JPEG, PNG or PDF, the type read from its content), named by its SHA-256."""

    id: int
    client_id: str | None
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: Literal["image/jpeg", "image/png", "application/pdf"]
    size: int = Field(ge=1)
    filename: str
    captured_at: UtcTime | None
    received_at: UtcTime = Field(description="When the server received it (UTC)")
    latitude: float | None
    longitude: float | None
    url: str = Field(description="Where the file is served (to who may see the case)")

    @classmethod
    def of(cls, file: EvidenceFile) -> "Photo":
        """The API's view of a stored file."""
        return cls(
            id=file.id,
            client_id=file.client_id,
            sha256=file.sha256,
            content_type=file.content_type,
            size=file.size,
            filename=file.filename,
            captured_at=file.captured_at,
            received_at=file.received_at,
            latitude=file.latitude,
            longitude=file.longitude,
            url=url_for("evidence.download", file_id=file.id),
        )
