"""The real features on the real slack-bolt and slack_sdk against the local fake Slack.

Socket Mode end to end: commands, buttons and message events arrive as envelopes on the fake's
websocket, and every effect is read back from the fake's Web API log and the SQLite file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest

from groupbot.app import Bot
from groupbot.config import Config, Secret
from groupbot.core.ports import FakeClock
from groupbot.core.types import Reply
from groupbot.platforms.slack.chat import RateLimitRetry
from groupbot.platforms.slack.render import plain_text_of
from groupbot.platforms.slack.runner import SlackSession, slack_session
from tests.conftest import DISTRESS, Handled, with_distress_rule
from tests.fakes.slack_fake import APP_TOKEN, BOT_TOKEN, FakeSlack, FakeUser

INSULT = "robin you worthless idiot"
CRISIS = "I don't want to be here anymore, I'm going to end it"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = await FakeSlack().start()
    f.add_user("alex")
    f.add_user("robin")
    yield f
    await f.stop()
    assert f.unknown_methods == [], f"the adapter called methods the fake lacks: " \
                                    f"{f.unknown_methods}"


def slack_config(config: Config, fake: FakeSlack, *moderators: FakeUser,
                 usergroup: str | None = None) -> Config:
    cfg = dataclasses.replace(config)
    cfg.secrets = {"SLACK_BOT_TOKEN": Secret(BOT_TOKEN), "SLACK_APP_TOKEN": Secret(APP_TOKEN)}
    cfg.slack = dataclasses.replace(cfg.slack, api_base=fake.api_base,
                                    moderators=tuple(m.id for m in moderators),
                                    moderator_usergroup=usergroup)
    return cfg


async def _no_sleep(_seconds: float) -> None:
    return None


@asynccontextmanager
async def running(config: Config, fake: FakeSlack, clock: FakeClock, *,
                  usergroup: str | None = None,
                  retry: RateLimitRetry | None = None) -> AsyncIterator[SlackSession]:
    cfg = slack_config(config, fake, *([] if usergroup else [fake.users["robin"]]),
                       usergroup=usergroup)
    async with slack_session(cfg, clock=clock,
                             retry=retry or RateLimitRetry(sleep=_no_sleep)) as session:
        await fake.wait_for(fake.live_socket)
        yield session
        # Bolt acks an envelope once its listener has acked; let every ack land before closing
        await fake.wait_for(lambda: set(fake.acks) >= set(fake.envelopes))


def texts(bodies: list[dict[str, Any]]) -> str:
    return "\n".join(str(b.get("text", "")) + "\n" + plain_text_of(b.get("blocks") or [])
                     for b in bodies)


def moderation_of(bot: Bot) -> Any:
    found = bot.feature("moderation")
    assert found is not None
    return found


# -- commands ---------------------------------------------------------------------------------
async def test_help_and_a_member_command_answer_privately(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex = fake.users["alex"]
    async with running(config, fake, clock):
        key = await fake.slash(alex, "general", "help")
        helped = await fake.answer(key)
        key2 = await fake.slash(alex, "general", "resources")
        resources = await fake.answer(key2)
    assert all(b["response_type"] == "ephemeral" for b in helped + resources)
    assert "/excerpt" in texts(helped) and "/mod" not in texts(helped)
    assert "support" in texts(resources).lower()
    slash = [eid for eid, e in fake.envelopes.items() if e["type"] == "slash_commands"]
    assert len(slash) == 2 and all(fake.acks[eid] == {"envelope_id": eid} for eid in slash)
    assert fake.posts_in("general") == []
    assert fake.called("auth.test")[0].content_type == "application/x-www-form-urlencoded"


async def test_a_member_is_refused_mod_commands_and_a_moderator_sets_up(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin = fake.users["alex"], fake.users["robin"]
    modlog = fake.channels["mod-log"]
    async with running(config, fake, clock) as session:
        refused = await fake.answer(await fake.slash(alex, "general", "mod queue"))
        done = await fake.answer(await fake.slash(
            robin, "general", f"mod setup modlog <#{modlog}|mod-log>"))
        by_name = await fake.answer(await fake.slash(robin, "general",
                                                     "mod setup modlog #venting"))
        settings = await session.bot.services.settings(session.adapter.group(fake.team_id))
    assert "/mod queue is for moderators" in texts(refused)
    assert refused[0]["response_type"] == "ephemeral"
    assert "mod-log" in texts(done) and "venting" in texts(by_name)
    assert settings.modlog_channel == fake.channels["venting"]
    assert session.team_id == fake.team_id


async def test_moderators_from_a_user_group(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin = fake.users["alex"], fake.users["robin"]
    group = fake.add_usergroup(alex)
    async with running(config, fake, clock, usergroup=group):
        ok = await fake.answer(await fake.slash(alex, "general", "mod queue"))
        refused = await fake.answer(await fake.slash(robin, "general", "mod queue"))
    assert "is for moderators" not in texts(ok)
    assert "/mod queue is for moderators" in texts(refused)
    assert len(fake.called("usergroups.users.list")) == 1  # cached between commands


async def test_excerpt_renders_blocks_and_next_is_clicked(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex = fake.users["alex"]
    async with running(config, fake, clock):
        await fake.slash(alex, "general", "excerpt codependency")
        posted = await fake.wait_for(lambda: fake.posts_in("general"))
        first = posted[0]
        kinds = [b["type"] for b in first["blocks"]]
        button = next(e for b in first["blocks"] if b["type"] == "actions"
                      for e in b["elements"])
        key = await fake.click(alex, "general", first, button["action_id"])
        await fake.wait_for(lambda: len(fake.posts_in("general")) == 2)
        second = fake.posts_in("general")[1]
    assert kinds[0] == "header" and "section" in kinds and "context" in kinds
    assert kinds[-1] == "actions" and button["action_id"].startswith("gb:")
    assert button["value"] == button["action_id"]
    assert "*" in plain_text_of(first["blocks"])  # the matched words in bold, as mrkdwn
    assert "**" not in plain_text_of(first["blocks"])
    assert "Result 2" in plain_text_of(second["blocks"])
    assert fake.called("chat.postMessage")[0].content_type == "application/json"
    assert fake.responses[key] == []  # the click answered in the channel, not privately


# -- moderation -------------------------------------------------------------------------------
async def test_targeted_insult_warns_privately_alerts_and_records_without_deleting(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin = fake.users["alex"], fake.users["robin"]
    async with running(config, fake, clock) as session:
        await fake.answer(await fake.slash(robin, "general", "mod setup modlog #mod-log"))
        sent = await fake.say(alex, "general", INSULT)
        alerts = await fake.wait_for(lambda: fake.posts_in("mod-log"))
        dms = await fake.wait_for(lambda: fake.dms_to(alex))
        cases = await moderation_of(session.bot).cases.find_by_message(
            f"slack:{fake.team_id}", sent["ts"])
    assert fake.called("chat.delete") == [] and fake.deleted == []
    assert sent in fake.messages[fake.channels["general"]]  # still there: Slack can't remove it
    assert "can't remove messages here" in texts(dms)
    assert [(c.action, c.categories) for c in cases] == [("remove", ("harassment",))]
    alert = texts(alerts)
    assert f"<@{alex.id}>" in alert and "Case 1" in alert
    # the bot cannot remove it, so the alert links to it for the moderators
    permalink = f"/archives/{fake.channels['general']}/p{sent['ts'].replace('.', '')}"
    assert permalink in alert
    assert [m for m in fake.posts_in("general")] == []  # nothing said in public


async def test_an_alert_links_to_an_insult_posted_inside_a_thread(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin, sam = fake.users["alex"], fake.users["robin"], fake.add_user("sam")
    async with running(config, fake, clock):
        await fake.answer(await fake.slash(robin, "general", "mod setup modlog #mod-log"))
        parent = await fake.say(sam, "general", "how was everyone's week?")
        reply = await fake.say(alex, "general", INSULT, thread_ts=parent["ts"])
        alerts = await fake.wait_for(lambda: fake.posts_in("mod-log"))
    assert f"thread_ts={parent['ts']}" in texts(alerts)
    assert f"p{reply['ts'].replace('.', '')}" in texts(alerts)


async def test_without_a_modlog_moderators_are_alerted_by_dm(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin = fake.users["alex"], fake.users["robin"]
    async with running(config, fake, clock):
        await fake.say(alex, "general", INSULT)
        alerts = await fake.wait_for(lambda: fake.dms_to(robin))
    assert "Case 1" in texts(alerts)


async def test_crisis_message_gets_a_private_care_reply_and_nothing_is_removed(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin = fake.users["alex"], fake.users["robin"]
    async with running(config, fake, clock) as session:
        await fake.answer(await fake.slash(robin, "general", "mod setup modlog #mod-log"))
        sent = await fake.say(alex, "general", CRISIS)
        alerts = await fake.wait_for(lambda: fake.posts_in("mod-log"))
        dm = (await fake.wait_for(lambda: fake.dms_to(alex)))[0]
        reach = next(e["action_id"] for b in dm["blocks"] if b["type"] == "actions"
                     for e in b["elements"] if e["action_id"].startswith("gb:care:reach:"))
        dm_channel = next(c for c, u in fake.dms.items() if u == alex.id)
        key, payload = fake.click_payload(alex, dm_channel, dm, reach)
        payload["channel"]["name"] = "directmessage"
        await fake.send_envelope("interactive", payload)
        reply = await fake.answer(key)
        await fake.wait_for(lambda: len(fake.posts_in("mod-log")) == 2)
        cases = await moderation_of(session.bot).cases.find_by_message(
            f"slack:{fake.team_id}", sent["ts"])
    assert fake.called("chat.delete") == [] and fake.posts_in("general") == []
    assert "You're not alone" in texts([dm]) and "not a therapist" in texts([dm])
    assert CRISIS not in texts(alerts) and "Support" in texts(alerts)
    assert reply[0]["response_type"] == "ephemeral"
    assert "let the moderators know" in texts(reply)
    assert [(c.action, c.text) for c in cases] == [("support", None)]


async def test_a_care_note_that_cannot_be_delivered_leaves_no_trace(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    """Slack has no public fallback for a private message: a DM that fails is only logged."""
    alex = fake.users["alex"]
    group_id = f"slack:{fake.team_id}"
    async with running(with_distress_rule(config), fake, clock) as session:
        cases = moderation_of(session.bot).cases
        done = Handled(session.bot)
        fake.fail("conversations.open", 200, retry_after=None, error="user_disabled")
        await fake.say(alex, "general", DISTRESS)
        await done.wait(1)
        refused = [c.answer.get("error") for c in fake.called("conversations.open")]
        posted = fake.called("chat.postMessage") + fake.called("chat.postEphemeral")
        noted = await cases.last_care_note(group_id, alex.id)
        # the next message showing distress, with the DM working, gets the note
        await fake.say(alex, "general", DISTRESS)
        await done.wait(2)
        noted_then = await cases.last_care_note(group_id, alex.id)
    assert refused == ["user_disabled"]  # the care note was tried, privately only
    assert posted == []  # nothing in any channel, no ephemeral, no moderator alert
    assert noted is None  # not recorded: the window did not start
    dms = fake.dms_to(alex)
    assert len(dms) == 1 and "Just checking in" in texts(dms) and DISTRESS not in texts(dms)
    assert noted_then == clock.now()
    assert fake.posts_in("general") == [] and fake.posts_in("mod-log") == []


async def test_an_edit_is_checked_again_and_unchanged_edits_are_not(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin = fake.users["alex"], fake.users["robin"]
    async with running(config, fake, clock) as session:
        await fake.answer(await fake.slash(robin, "general", "mod setup modlog #mod-log"))
        sent = await fake.say(alex, "general", "what a lovely morning")
        unfurl = await fake.edit("general", sent, sent["text"])  # an unfurl: same text
        await fake.acked(_last_envelope(fake))
        await fake.edit("general", unfurl, INSULT)
        await fake.wait_for(lambda: fake.posts_in("mod-log"))
        cases = await moderation_of(session.bot).cases.find_by_message(
            f"slack:{fake.team_id}", sent["ts"])
    assert [c.action for c in cases] == ["remove"]
    assert "Case 1" in texts(fake.posts_in("mod-log"))


def _last_envelope(fake: FakeSlack) -> str:
    return list(fake.envelopes)[-1]


async def test_a_redelivered_event_is_handled_once(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin = fake.users["alex"], fake.users["robin"]
    async with running(config, fake, clock) as session:
        await fake.answer(await fake.slash(robin, "general", "mod setup modlog #mod-log"))
        sent = await fake.say(alex, "general", INSULT, event_id="Ev0SAME0001")
        await fake.wait_for(lambda: fake.posts_in("mod-log"))
        again = await fake.event({**sent, "channel": fake.channels["general"],
                                  "channel_type": "channel"}, "Ev0SAME0001")
        assert again is not None
        await fake.acked(again)
        await fake.wait_for(lambda: session.adapter.duplicates == 1)
        cases = await moderation_of(session.bot).cases.find_by_message(
            f"slack:{fake.team_id}", sent["ts"])
    assert len(cases) == 1 and len(fake.posts_in("mod-log")) == 1


async def test_bot_messages_are_ignored(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    robin = fake.users["robin"]
    async with running(config, fake, clock) as session:
        await fake.answer(await fake.slash(robin, "general", "mod setup modlog #mod-log"))
        # the bot itself posts an insult-like quote: its own echo must not open a case
        await session.chat.post(session.adapter.group(fake.team_id),
                                await session.adapter.channel(
                                    session.adapter.group(fake.team_id),
                                    fake.channels["general"]),
                                Reply.public(INSULT))
        await fake.acked(_last_envelope(fake))
        rows = await session.bot.services.store.db.fetchall("SELECT COUNT(*) FROM mod_cases")
    assert rows[0][0] == 0


# -- schedules --------------------------------------------------------------------------------
async def ledger(bot: Bot) -> list[tuple[Any, ...]]:
    rows = await bot.services.store.db.fetchall(
        "SELECT schedule_id, occurrence, state, claimed_by, message_id "
        "FROM schedule_occurrences ORDER BY schedule_id, occurrence")
    return [tuple(r) for r in rows]


async def add_schedule(fake: FakeSlack, when: str) -> str:
    general = fake.channels["general"]
    said = texts(await fake.answer(await fake.slash(
        fake.users["robin"], "general", f"mod schedule add <#{general}|general> {when}")))
    assert "Schedule 1" in said, said
    return said


async def test_a_scheduled_prompt_posts_once_with_metadata_and_a_thread(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    async with running(config, fake, clock) as session:
        await add_schedule(fake, "daily 09:00")
        await clock.advance(timedelta(hours=1))
        await session.bot.idle()
        rows = await ledger(session.bot)
    posts = fake.posts_in("general")
    assert len(posts) == 1
    meta = posts[0]["metadata"]
    assert meta["event_type"] == "groupbot_occurrence" and meta["event_payload"]["key"]
    assert fake.thread_replies("general", posts[0]["ts"])  # the discussion thread
    assert [r[2] for r in rows] == ["posted"] and rows[0][4] == posts[0]["ts"]


async def test_after_a_crash_the_restart_finds_the_post_instead_of_reposting(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    async with running(config, fake, clock) as session:
        await add_schedule(fake, "daily 09:00")
        schedules: Any = session.bot.feature("schedules")

        async def crash(*_a: Any, **_k: Any) -> None:
            raise RuntimeError("the process died before recording the post")

        schedules.repo.mark_posted = crash
        await clock.advance(timedelta(hours=1))
        await session.bot.idle()
        assert [r[2] for r in await ledger(session.bot)] == ["claimed"]
    assert len(fake.posts_in("general")) == 1
    for _ in range(3):  # other chatter after it: find_post reads the history, newest first
        await fake.say(fake.users["alex"], "general", "good morning")
    async with running(config, fake, clock) as session:
        await clock.advance(timedelta(minutes=6))  # past the claim's lease
        await session.bot.idle()
        rows = await ledger(session.bot)
    posts = fake.posts_in("general")
    assert len(posts) == 1  # not re-posted
    history = fake.called("conversations.history")
    assert history and str(history[-1].args.get("include_all_metadata")) in ("1", "true", "True")
    assert rows[0][2] == "posted" and rows[0][4] == posts[0]["ts"]


async def test_another_apps_copy_of_the_metadata_is_not_taken_for_the_post(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    async with running(config, fake, clock) as session:
        await add_schedule(fake, "daily 09:00")
        schedules: Any = session.bot.feature("schedules")

        async def crash(*_a: Any, **_k: Any) -> None:
            raise RuntimeError("the process died before recording the post")

        schedules.repo.mark_posted = crash
        await clock.advance(timedelta(hours=1))
        await session.bot.idle()
    [real] = fake.posts_in("general")
    general = fake.channels["general"]
    # another app's message after it, with the same metadata: newest first, it comes first
    copy = {"type": "message", "ts": fake.next_ts(), "bot_id": "B0OTHER001", "text": "hi",
            "metadata": dict(real["metadata"])}
    fake.messages[general].append(copy)
    async with running(config, fake, clock) as session:
        await clock.advance(timedelta(minutes=6))
        await session.bot.idle()
        rows = await ledger(session.bot)
    assert rows[0][2] == "posted" and rows[0][4] == real["ts"] != copy["ts"]
    assert [m for m in fake.posts_in("general") if m["bot_id"] == fake.bot_id] == [real]


async def test_a_moderator_warns_by_name_and_a_user_group_role_counts(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex, robin = fake.users["alex"], fake.users["robin"]
    carer = fake.add_user("sam")
    group = fake.add_usergroup(carer)
    async with running(config, fake, clock) as session:
        warned = await fake.answer(await fake.slash(robin, "general", "mod warn @alex be kind"))
        before = await fake.answer(await fake.slash(carer, "general", "mod queue"))
        await fake.answer(await fake.slash(robin, "general",
                                           f"mod setup role <!subteam^{group}|@carers>"))
        after = await fake.answer(await fake.slash(carer, "general", "mod queue"))
        cases = await moderation_of(session.bot).cases.member_cases(
            f"slack:{fake.team_id}", alex.id)
    assert "Case 1: warned" in texts(warned)
    assert [(c.action, c.created_by) for c in cases] == [("warn", robin.id)]
    assert "be kind" in texts(fake.dms_to(alex))
    assert "is for moderators" in texts(before) and "is for moderators" not in texts(after)


async def test_without_a_response_url_private_replies_are_ephemeral_posts(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex = fake.users["alex"]
    async with running(config, fake, clock):
        _key, payload = fake.slash_payload(alex, "general", "help")
        del payload["response_url"]
        await fake.send_envelope("slash_commands", payload, accepts_response_payload=True)
        sent = await fake.wait_for(lambda: fake.ephemerals_to(alex))
    assert sent[0]["channel"] == fake.channels["general"] and "/excerpt" in texts(sent)


# -- moderators by default, and alerts that wait for a moderator log -------------------------
async def test_the_workspace_admin_sets_up_the_modlog_and_a_crisis_alert_that_waited_arrives(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    """No moderators configured: the workspace's admin is one. A crisis alert before any
    moderator log reaches the admin directly, waits in the queue, and is posted in the log
    once the admin sets one."""
    alex, robin = fake.users["alex"], fake.users["robin"]
    pat = fake.add_user("pat", admin=True)
    modlog = fake.channels["mod-log"]
    cfg = slack_config(config, fake)  # no [slack] moderators, no user group
    async with slack_session(cfg, clock=clock, retry=RateLimitRetry(sleep=_no_sleep)):
        await fake.wait_for(fake.live_socket)
        await fake.say(alex, "general", CRISIS)
        support = await fake.wait_for(lambda: fake.dms_to(alex))
        direct = await fake.wait_for(lambda: fake.dms_to(pat))
        refused = await fake.answer(await fake.slash(alex, "general", "mod queue"))
        queue = await fake.answer(await fake.slash(pat, "general", "mod queue"))
        before = list(fake.posts_in("mod-log"))
        done = await fake.answer(await fake.slash(pat, "general",
                                                  f"mod setup modlog <#{modlog}|mod-log>"))
        posted = fake.posts_in("mod-log")
        await fake.wait_for(lambda: set(fake.acks) >= set(fake.envelopes))
    assert "You're not alone" in texts(support)
    assert "very hard time" in texts(direct) and CRISIS not in texts(direct)
    assert "no moderator log channel is set" in texts(direct)
    assert fake.dms_to(robin) == []  # not configured, not an admin: not a moderator
    assert "/mod queue is for moderators" in texts(refused)
    assert "Item 1 (crisis request)" in texts(queue) and f"<@{alex.id}>" in texts(queue)
    assert before == []
    assert "posted there the 1 alert that waited for it" in texts(done)
    assert len(posted) == 1 and "very hard time" in texts(posted)
    assert "This waited since" in texts(posted) and CRISIS not in texts(posted)


async def test_workspace_owners_are_moderators_and_looked_up_once(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex = fake.users["alex"]
    olive = fake.add_user("olive", owner=True)
    async with running(config, fake, clock):
        listed = await fake.answer(await fake.slash(olive, "general", "mod queue"))
        claimed = await fake.answer(await fake.slash(olive, "general", "mod queue claim 1"))
        refused = await fake.answer(await fake.slash(alex, "general", "mod queue resolve 1"))
    assert "is for moderators" not in texts(listed) and "queue is empty" in texts(listed)
    assert "There is no item 1" in texts(claimed)
    assert "/mod queue resolve is for moderators" in texts(refused)
    lookups = [c for c in fake.called("users.info") if c.args.get("user") == olive.id]
    assert len(lookups) == 1  # users.info is cached between commands
