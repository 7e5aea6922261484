"""`slack_manifest.yaml` is valid YAML and says what the Slack adapter actually does: its one
slash command, the bot scopes of exactly the Web API methods the code calls, the events it
listens to, buttons, and Socket Mode. A method added to the adapter without its scope (or a
scope left in the manifest that nothing uses) fails here, and so does a README that lists
other scopes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from groupbot.platforms.slack.adapter import COMMAND

ROOT = Path(__file__).resolve().parents[3]
SLACK = ROOT / "groupbot" / "platforms" / "slack"
MANIFEST = ROOT / "slack_manifest.yaml"

# The bot scopes each Web API method needs (api.slack.com/methods). A method that is not here
# fails the test: look its scopes up and add them, here and in the manifest.
METHOD_SCOPES: dict[str, set[str]] = {
    "auth_test": set(),
    "chat_postMessage": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "chat_getPermalink": set(),
    "conversations_open": {"im:write"},
    "conversations_history": {"channels:history", "groups:history"},
    "conversations_replies": {"channels:history", "groups:history"},
    "conversations_info": {"channels:read", "groups:read"},
    "conversations_list": {"channels:read", "groups:read"},
    "users_info": {"users:read"},
    "users_list": {"users:read"},
    "usergroups_users_list": {"usergroups:read"},
}
# SlackChat.call("what", "method", ...) and SlackChat.list_all("method", ...)
_CALL = re.compile(r"""\.call\(\s*(?:f?"[^"]*"|'[^']*')\s*,\s*"(\w+)"|list_all\(\s*"(\w+)\"""")


def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def methods_called() -> set[str]:
    found: set[str] = set()
    for path in SLACK.glob("*.py"):
        for m in _CALL.finditer(path.read_text(encoding="utf-8")):
            found.add(m.group(1) or m.group(2))
    return found


def test_the_manifest_is_yaml_for_a_socket_mode_app_with_a_bot_user() -> None:
    m = manifest()
    assert {"display_information", "features", "oauth_config", "settings"} <= set(m)
    assert m["_metadata"]["major_version"] == 1
    assert m["display_information"]["name"] == "groupbot"
    assert m["features"]["bot_user"]["display_name"] == "groupbot"
    assert m["settings"]["socket_mode_enabled"] is True
    assert m["settings"]["interactivity"]["is_enabled"] is True  # the buttons
    assert m["features"]["app_home"]["messages_tab_enabled"] is True  # private notes are DMs


def test_one_slash_command_the_adapter_registers_with_escaping_on() -> None:
    commands = manifest()["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [COMMAND] == ["/groupbot"]
    # the resolver reads <@U...> and <#C...|name>, which Slack sends only with escaping on
    assert commands[0]["should_escape"] is True
    adapter = (SLACK / "adapter.py").read_text(encoding="utf-8")
    assert "app.command(COMMAND)" in adapter


def test_the_scopes_are_exactly_those_of_the_methods_the_adapter_calls() -> None:
    called = methods_called()
    assert {"chat_postMessage", "conversations_history", "users_info"} <= called  # the scan works
    unknown = called - set(METHOD_SCOPES)
    assert not unknown, f"add the scopes of {sorted(unknown)} to METHOD_SCOPES and the manifest"
    needed = {"commands"}.union(*(METHOD_SCOPES[m] for m in called))
    scopes = manifest()["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes))
    assert set(scopes) == needed, (
        f"missing: {sorted(needed - set(scopes))}; unused: {sorted(set(scopes) - needed)}")
    assert "user" not in manifest()["oauth_config"]["scopes"]  # a bot token only


def test_the_events_are_the_message_events_the_adapter_listens_to() -> None:
    adapter = (SLACK / "adapter.py").read_text(encoding="utf-8")
    listened = set(re.findall(r'app\.event\("([\w.]+)"\)', adapter))
    assert listened == {"message"}
    events = manifest()["settings"]["event_subscriptions"]["bot_events"]
    assert set(events) == {"message.channels", "message.groups"}
    assert all(e.split(".")[0] in listened for e in events)
    assert "app.action(" in adapter  # and buttons, hence interactivity


def test_the_readme_names_the_manifest_and_the_same_scopes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    slack = readme[readme.index("## Running on Slack"):readme.index("## Configuration")]
    assert "slack_manifest.yaml" in slack
    assert "owners and admins are moderators by default" in " ".join(slack.split())
    first_step = slack[slack.index("1. "):slack.index("2. ")]
    listed = set(re.findall(r"`([a-z]+:[a-z.]+|commands)`", first_step))
    assert listed == set(manifest()["oauth_config"]["scopes"]["bot"])


def test_the_scan_would_see_a_new_method() -> None:
    sample = 'data = await self.call("pin it", "pins_add", channel=c)\nx = list_all("bots_info")'
    assert {m.group(1) or m.group(2) for m in _CALL.finditer(sample)} == {"pins_add",
                                                                          "bots_info"}
