"""The bilingual refusal a contract's validators raise, and the one sentence several share.

Here rather than in `danvan.messages` so that the contracts need nothing of the platform
(`danvan.messages` re-exports both)."""

from __future__ import annotations

from danvan.contracts.rpc import Message

#: A required text that holds only spaces.
NOT_BLANK = Message(vi="không được để trống", en="must not be blank")


class MessageError(ValueError):
    """A ValueError that says what is wrong in both languages. Pydantic validators raise it so
    a refused field reads right in Vietnamese too; `str()` is the English."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.en)
        self.message = message
