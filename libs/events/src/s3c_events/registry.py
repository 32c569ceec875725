"""The registry's contract: function state, `function.*` events, commands and queries."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field

from s3c_events.envelope import Event, Message
from s3c_events.owners import LOCAL, OWNER_FILTER, Owner
from s3c_events.subjects import command_subject, query_subject

SERVICE = "registry"
NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
MAX_CODE_CHARS = 256 * 1024
MAX_DESCRIPTION_CHARS = 4096
MAX_TIMEOUT_MS = 900_000  # Lambda's ceiling: 15 minutes
MAX_RETRY_COUNT = 10

Runtime = Literal["javascript", "python"]
Status = Literal["active", "inactive"]


FunctionAuth = Literal["key", "none"]


class FunctionConfig(Message):
    timeout: int = Field(30_000, ge=1, le=MAX_TIMEOUT_MS, description="ms per attempt")
    retry_count: int = Field(3, ge=0, le=MAX_RETRY_COUNT, description="retries after the first try")
    auth: FunctionAuth = Field(
        "key",
        description="who may call its function URL: `key` (an invoke key of its owner) or "
        "`none` (anyone, like a Lambda function URL with auth type NONE)",
    )


class FunctionConfigInput(FunctionConfig):
    """`config` as a command gives it: an unknown key (a typo like `retryCont`) is refused, not
    silently dropped. Stored state and events stay tolerant readers (`FunctionConfig`)."""

    model_config = ConfigDict(extra="forbid")


class FunctionConfigPatch(Message):
    model_config = ConfigDict(extra="forbid")

    timeout: int | None = Field(None, ge=1, le=MAX_TIMEOUT_MS)
    retry_count: int | None = Field(None, ge=0, le=MAX_RETRY_COUNT)
    auth: FunctionAuth | None = None


class FunctionState(Message):
    """A function as the registry knows it at one version."""

    id: str
    name: str
    description: str = ""
    code: str
    runtime: Runtime = "javascript"
    status: Status = "active"
    config: FunctionConfig = FunctionConfig()
    version: int = 1
    created_at: datetime
    updated_at: datetime
    owner: str = Field(LOCAL, description="the tenant it belongs to; its name is unique within it")


class _FunctionEvent(Event):
    AGGREGATE: ClassVar[str] = "function"
    function_id: str
    owner: str = Field(LOCAL, description="the function's owner")

    @property
    def aggregate_id(self) -> str:
        return self.function_id


class FunctionRegistered(_FunctionEvent):
    TYPE: ClassVar[str] = "registered"
    function: FunctionState


class FunctionUpdated(_FunctionEvent):
    """Any change but status. `version` moved when code, runtime or config changed."""

    TYPE: ClassVar[str] = "updated"
    function: FunctionState
    changed: list[str] = Field(default_factory=list, description="names of the changed fields")


class FunctionActivated(_FunctionEvent):
    TYPE: ClassVar[str] = "activated"
    version: int


class FunctionDeactivated(_FunctionEvent):
    TYPE: ClassVar[str] = "deactivated"
    version: int


class FunctionDeleted(_FunctionEvent):
    TYPE: ClassVar[str] = "deleted"
    name: str


FUNCTION_EVENTS: tuple[type[_FunctionEvent], ...] = (
    FunctionRegistered,
    FunctionUpdated,
    FunctionActivated,
    FunctionDeactivated,
    FunctionDeleted,
)
FunctionEvent = (
    FunctionRegistered | FunctionUpdated | FunctionActivated | FunctionDeactivated | FunctionDeleted
)


# Commands (imperative): sent to s3c.cmd.registry.<verb>, answered with Reply[FunctionState].
class RegisterFunction(Message):
    SUBJECT: ClassVar[str] = command_subject(SERVICE, "register")
    name: str = Field(pattern=NAME_PATTERN)
    description: str = Field("", max_length=MAX_DESCRIPTION_CHARS)
    code: str = Field(min_length=1, max_length=MAX_CODE_CHARS)
    runtime: Runtime = "javascript"
    status: Status = "active"
    config: FunctionConfigInput = FunctionConfigInput()
    owner: Owner = Field(LOCAL, description="the tenant it is for; the name is unique within it")


class FunctionChanges(Message):
    """The fields a partial update may change; omitted fields keep their value."""

    name: str | None = Field(None, pattern=NAME_PATTERN)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION_CHARS)
    code: str | None = Field(None, min_length=1, max_length=MAX_CODE_CHARS)
    runtime: Runtime | None = None
    status: Status | None = None
    config: FunctionConfigPatch | None = None


class UpdateFunction(FunctionChanges):
    SUBJECT: ClassVar[str] = command_subject(SERVICE, "update")
    function_id: str
    owner: Owner | None = Field(None, description=OWNER_FILTER)


class ActivateFunction(Message):
    SUBJECT: ClassVar[str] = command_subject(SERVICE, "activate")
    function_id: str
    owner: Owner | None = Field(None, description=OWNER_FILTER)


class DeactivateFunction(Message):
    SUBJECT: ClassVar[str] = command_subject(SERVICE, "deactivate")
    function_id: str
    owner: Owner | None = Field(None, description=OWNER_FILTER)


class DeleteFunction(Message):
    SUBJECT: ClassVar[str] = command_subject(SERVICE, "delete")
    function_id: str
    owner: Owner | None = Field(None, description=OWNER_FILTER)


# Queries (nouns): sent to s3c.qry.registry.<name>, answered from the registry's read model.
class FunctionList(Message):
    SUBJECT: ClassVar[str] = query_subject(SERVICE, "functions")
    status: Status | None = None
    owner: Owner | None = Field(None, description=OWNER_FILTER)


class FunctionDetail(Message):
    """One function by id or by name (exactly one of them). A name is looked up within `owner`
    (names are unique per owner), or within local mode's owner when none is given."""

    SUBJECT: ClassVar[str] = query_subject(SERVICE, "function")
    function_id: str | None = None
    name: str | None = None
    owner: Owner | None = Field(None, description=OWNER_FILTER)
