"""The moderators' dashboard: the queue, cases, schedules, check-in trends, the policy and the
group's set-up, in a browser.

Served by the bot itself (`groupbot run ... --dashboard-port N`, or `[dashboard] port`) or
alone against the database (`groupbot dashboard --port N`), on 127.0.0.1 unless told
otherwise; put it behind a TLS reverse proxy to reach it from elsewhere (see the README).

- `auth`: signing in with one-time links, sessions, CSRF tokens, the moderator check;
- `app`: the aiohttp server and its security headers; `routes`: pages and actions;
  `context`: what a request shares, and running an action as its chat command;
- `views` and `markup`: server-rendered HTML, escaped by default; `charts`: the SVG chart;
- `standalone`: the chat port of a dashboard running without the bot.

It never imports a platform library: it talks to the bot's neutral `Bot` and ports.
"""
