"""bench_slack's core loop on a few messages: every message reaches the bot, and the Slack
effects are the right ones (so its speed figures measure real work, not a broken path)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.bench_slack import MODLOG, Sent, World, paced, running_world, saturated
from groupbot.platforms.slack.render import plain_text_of


def _dm_words(world: World, item: Sent) -> str:
    return "\n".join(m.get("text", "") + "\n" + plain_text_of(m.get("blocks") or [])
                     for m in world.fake.dms_to(item.user))


def _still_there(world: World, item: Sent) -> bool:
    return any(m["ts"] == item.ts for m in world.fake.messages[world.fake.channels[item.channel]])


async def test_the_core_loop_handles_every_message_and_moderates_as_slack_can(
        tmp_path: Path) -> None:
    async with running_world(tmp_path, insult_every=10, crisis_every=25) as world:
        await saturated(world, 50)
        sent = dict(world.sent)
        done = set(world.done)
        rows = await world.session.bot.services.store.db.fetchall(
            "SELECT message_id, action FROM mod_cases")
        await paced(world, 20, 2000.0)
        paced_sent, paced_done = set(world.sent), set(world.done)
        flagged = [s for s in [*sent.values(), *world.sent.values()]
                   if s.kind in ("insult", "crisis")]
    fake = world.fake
    insults = [s for s in sent.values() if s.kind == "insult"]
    crises = [s for s in sent.values() if s.kind == "crisis"]
    assert len(sent) == 50 and done == set(sent)
    assert len(paced_sent) == 20 and paced_done == paced_sent
    assert len(insults) == 5 and len(crises) == 2
    cases = {str(r[0]): str(r[1]) for r in rows}
    assert cases == {**{s.ts: "remove" for s in insults}, **{s.ts: "support" for s in crises}}
    # Slack: a bot token cannot delete a member's message, so nothing is deleted
    assert fake.called("chat.delete") == [] and fake.deleted == [] and fake.delete_calls == []
    for s in insults:
        assert _still_there(world, s)
        assert "can't remove messages here" in _dm_words(world, s)
        assert "You're not alone" not in _dm_words(world, s)
    for s in crises:
        assert _still_there(world, s)
        assert "You're not alone" in _dm_words(world, s)
        assert "can't remove" not in _dm_words(world, s)
    # private replies went only to those authors; nothing was said in the members' channels
    assert sorted(fake.dms.values()) == sorted({s.user.id for s in flagged})
    assert all(fake.posts_in(name) == [] for name in world.channels.values())
    assert len(fake.posts_in(MODLOG)) == len(flagged) > len(insults) + len(crises)
    assert fake.unknown_methods == []
