"""The names of the members who posted lately, which an insult "by name" is read against.
"""

from __future__ import annotations

from collections import OrderedDict

from groupbot.moderation.names import FoldedNames, fold_names


class RecentNames:
    """The display names of members who posted lately, per group, bounded (most recent
    kept): the names an insult "by name" is read against. Each name is folded once, when
    it is first seen or changes; a group's set is rebuilt only when its members change, and
    each author's view of it (everyone but themselves) is a set difference, kept until then.
    (A busy workspace with more posters than the bound turns members over on most
    messages: then no name is folded again, only the sets are rebuilt.)"""

    def __init__(self, per_group: int = 1000, groups: int = 1000) -> None:
        self.per_group = per_group
        self.groups = groups
        # group -> member -> (display name, its folded form), oldest poster first
        self._names: OrderedDict[str, OrderedDict[str, tuple[str, FoldedNames]]] = OrderedDict()
        self._sets: dict[str, frozenset[str]] = {}  # group -> every folded name in it
        self._others: dict[str, dict[str, FoldedNames]] = {}  # group -> member -> the rest

    def seen(self, group_id: str, member_id: str, display_name: str) -> FoldedNames:
        """Note that `member_id` posted in `group_id`; the folded names of the others."""
        members = self._names.get(group_id)
        if members is None:
            members = self._names[group_id] = OrderedDict()
            while len(self._names) > self.groups:
                gone, _ = self._names.popitem(last=False)
                self._sets.pop(gone, None)
                self._others.pop(gone, None)
        else:
            self._names.move_to_end(group_id)
        entry = members.get(member_id)
        if entry is None or entry[0] != display_name:
            entry = members[member_id] = (display_name, fold_names([display_name]))
            members.move_to_end(member_id)
            while len(members) > self.per_group:
                members.popitem(last=False)
            self._sets.pop(group_id, None)
            self._others[group_id] = {}
        else:
            members.move_to_end(member_id)
        others = self._others.setdefault(group_id, {})
        found = others.get(member_id)
        if found is None:
            everyone = self._sets.get(group_id)
            if everyone is None:
                everyone = self._sets[group_id] = frozenset().union(
                    *(folded for _name, folded in members.values()))
            found = others[member_id] = FoldedNames(everyone - entry[1])
        return found
