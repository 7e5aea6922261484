"""The Slack adapter: the only package that imports slack_bolt and slack_sdk."""

from __future__ import annotations

from groupbot.platforms.slack.adapter import SlackAdapter, SlackResolver
from groupbot.platforms.slack.chat import SlackChat, make_client
from groupbot.platforms.slack.runner import run_slack, slack_session

__all__ = ["SlackAdapter", "SlackChat", "SlackResolver", "make_client", "run_slack",
           "slack_session"]
