"""What a NATS user may publish or subscribe to, by the rules of a permissions file as
nats-server applies them (deny wins over allow; `*` is one token, `>` the rest), for checks of
deploy/nats/permissions.conf that need no server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from tests.nats_conf import NatsConf

Direction = Literal["publish", "subscribe"]


def subject_matches(pattern: str, subject: str) -> bool:
    wanted, given = pattern.split("."), subject.split(".")
    for index, token in enumerate(wanted):
        if token == ">":
            return len(given) > index
        if index >= len(given) or (token != "*" and token != given[index]):
            return False
    return len(wanted) == len(given)


def _subjects(rule: Any) -> list[str]:
    if rule is None:
        return []
    return [str(rule)] if isinstance(rule, str) else [str(subject) for subject in rule]


@dataclass(frozen=True)
class Permissions:
    users: dict[str, dict[str, Any]]  # user -> its `permissions` block

    @classmethod
    def of(cls, conf: NatsConf) -> Permissions:
        users = conf.get("authorization", "users") or []
        return cls({str(user["user"]): user.get("permissions") or {} for user in users})

    def may(self, user: str, direction: Direction, subject: str) -> bool:
        """Whether `user` may publish (or subscribe) at `subject` (a literal subject)."""
        rule = self.users[user].get(direction)
        if rule is None:
            return True  # no rule for this direction: nats-server allows everything
        if not isinstance(rule, dict):
            rule = {"allow": rule}
        allowed = "allow" not in rule or any(
            subject_matches(pattern, subject) for pattern in _subjects(rule["allow"])
        )
        denied = any(subject_matches(pattern, subject) for pattern in _subjects(rule.get("deny")))
        return allowed and not denied
