"""A seeded, coherent OnlyFans world.

One seed gives, per account, the creator's profile, fans, chats with those fans, messages in
those chats, media on `cdn*.onlyfans.com`, posts, stories, transactions by those fans and
tracking/trial links. Entities are *partial* OnlyFans objects (OnlyFans field names): the
renderer completes them from the spec, so an id a fan list returns is the id chats, messages
and transactions refer to. `_key` names an entity for caching and for per-field randomness.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

import yaml
from faker import Faker

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "world.yaml"

# Which path parameters name an entity of which collection.
ID_PARAMS = {
    "fans": ("username", "fan_id", "user_id"),
    "chats": ("chat_id",),
    "messages": ("message_id",),
    "posts": ("post_id",),
    "stories": ("story_id",),
    "media": ("media_id",),
    "tracking_links": ("tracking_link_id",),
    "trial_links": ("trial_link_id",),
}


def stable_int(*parts) -> int:
    """A 64-bit integer from `parts`, the same in every process (unlike `hash`)."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def load_fixtures(path: Path = FIXTURES) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


class Pools:
    """Words, names and sentences made once by a seeded Faker; the world draws from them."""

    def __init__(self, seed: int):
        fake = Faker("en_US")
        fake.seed_instance(seed)
        self.first_names = [fake.first_name() for _ in range(300)]
        self.last_names = [fake.last_name() for _ in range(300)]
        self.words = sorted({fake.word() for _ in range(800)})
        self.sentences = [fake.sentence(nb_words=9) for _ in range(300)]
        self.cities = [fake.city() for _ in range(80)]
        self.countries = [fake.country_code() for _ in range(60)]
        self.user_agents = [fake.user_agent() for _ in range(40)]
        self.ips = [fake.ipv4_public() for _ in range(200)]
        self.domains = [fake.domain_name() for _ in range(40)]


def cdn_url(rng: random.Random, owner: int, width: int, height: int, ext: str = "jpg", thumbs: bool = False) -> str:
    """A signed OnlyFans CDN URL in the shape OnlyFans hands out."""
    digest = f"{rng.getrandbits(128):032x}"
    folder = "files/thumbs" if thumbs else "files"
    policy = f"{rng.getrandbits(160):040x}"
    return (
        f"https://cdn{rng.choice((2, 3))}.onlyfans.com/{folder}/{digest[0]}/{digest[:2]}/{digest}/"
        f"{width}x{height}_{digest}.{ext}?Tag=2&u={owner}&Policy={policy}&Signature={digest[::-1]}"
        "&Key-Pair-Id=APKAMOCKOFAPI0000000"
    )


def creator_profile(account: dict, pools: Pools, seed: int, now: datetime) -> dict:
    """The account's own OnlyFans profile (what OnlyFans' /users/me says)."""
    rng = random.Random(stable_int(seed, account["id"], "creator"))
    oid = account["onlyfans_id"]
    return {
        "_key": f"{account['id']}/creator",
        "id": oid,
        "username": account["username"],
        "name": account["name"],
        "displayName": account["display_name"],
        "email": account["email"],
        "isPerformer": True,
        "isVerified": True,
        "avatar": cdn_url(rng, oid, 400, 400),
        "header": cdn_url(rng, oid, 1500, 500),
        "avatarThumbs": {
            "c50": cdn_url(rng, oid, 50, 50, thumbs=True),
            "c144": cdn_url(rng, oid, 144, 144, thumbs=True),
        },
        "headerThumbs": {
            "w480": cdn_url(rng, oid, 480, 160, thumbs=True),
            "w760": cdn_url(rng, oid, 760, 253, thumbs=True),
        },
        "joinDate": iso(now - timedelta(days=rng.uniform(700, 900))),
        "subscribePrice": 9.99,
        "currentSubscribePrice": 9.99,
        "about": rng.choice(pools.sentences),
        "location": rng.choice(pools.cities),
        "website": f"https://{rng.choice(pools.domains)}",
        "view": "m",
    }


class AccountWorld:
    """Everything OnlyFans knows about one connected account, generated on first use."""

    def __init__(self, account: dict, pools: Pools, seed: int, now: datetime, sizes: dict, connected=()):
        self.account = account
        self.connected_accounts = list(connected)
        self.pools = pools
        self.now = now
        self.sizes = sizes
        self.seed = seed
        self.rng = random.Random(stable_int(seed, account["id"]))
        self.creator = creator_profile(account, pools, seed, now)
        self.fans = [self._fan(i) for i in range(sizes["fans"])]
        self.media = [self._media(i) for i in range(sizes["media"])]
        self.chats, self.messages = self._chats()
        self.posts = [self._post(i) for i in range(sizes["posts"])]
        self.stories = [self._story(i) for i in range(sizes["stories"])]
        self.transactions = self._transactions()
        self.tracking_links = [self._tracking_link(i) for i in range(sizes["tracking_links"])]
        self.trial_links = [self._trial_link(i) for i in range(sizes["trial_links"])]
        self._index = {name: {e["id"]: e for e in items} for name, items in self.lists.items()}
        self._index["fans"].update({f["username"]: f for f in self.fans})
        self._extra: dict = {}

    # -- collections -----------------------------------------------------------------
    @cached_property
    def lists(self) -> dict[str, list[dict]]:
        active = [f for f in self.fans if f["subscribedOn"]]
        return {
            "fans": self.fans,
            "active_fans": active,
            "expired_fans": [f for f in self.fans if not f["subscribedOn"]],
            "latest_fans": sorted(self.fans, key=lambda f: f["subscribedOnData"]["subscribeAt"], reverse=True),
            "top_fans": sorted(self.fans, key=lambda f: f["subscribedOnData"]["totalSumm"], reverse=True),
            "chats": self.chats,
            "messages": [m for chat in self.chats for m in self.messages[chat["id"]]],
            "media": self.media,
            "posts": self.posts,
            "stories": self.stories,
            "transactions": self.transactions,
            "tracking_links": self.tracking_links,
            "trial_links": self.trial_links,
            "accounts": self.connected_accounts,
            "profile": [self.creator],
        }

    def collection(self, name: str, scope: dict) -> list[dict]:
        """A collection, narrowed by the path parameters that scope it (a chat's messages)."""
        if name == "messages" and "chat_id" in scope:
            chat_id = _as_id(scope["chat_id"])
            return self.messages.get(chat_id) or self._materialized_chat_messages(chat_id)
        return self.lists[name]

    def entity(self, collection: str, ident) -> dict:
        """The entity with this id, or one made up for it: any id answers, the same way each time."""
        ident = _as_id(ident)
        found = self._index.get(collection, {}).get(ident)
        if found is not None:
            return found
        key = (collection, ident)
        if key not in self._extra:
            self._extra[key] = self._materialize(collection, ident)
        return self._extra[key]

    def _materialize(self, collection: str, ident) -> dict:
        index = stable_int(self.account["id"], collection, ident) % 10_000 + 10_000
        make = {
            "fans": self._fan,
            "media": self._media,
            "posts": self._post,
            "stories": self._story,
            "tracking_links": self._tracking_link,
            "trial_links": self._trial_link,
        }.get(collection)
        if collection == "chats":
            fan = self.entity("fans", ident)
            return {"_key": f"{self.account['id']}/chat/{ident}", "id": fan["id"], "fan": fan, "withUser": fan}
        if collection == "messages":
            return self._message(index, self.fans[index % len(self.fans)], self.now - timedelta(days=1), ident=ident)
        entity = dict(make(index)) if make else {"_key": f"{self.account['id']}/{collection}/{ident}"}
        if isinstance(ident, int) or collection != "fans":
            entity["id"] = ident
        else:
            entity["username"] = ident
        entity["_key"] = f"{self.account['id']}/{collection}/{ident}"
        return entity

    def _materialized_chat_messages(self, chat_id) -> list[dict]:
        key = ("chat_messages", chat_id)
        if key not in self._extra:
            fan = self.entity("fans", chat_id)
            self._extra[key] = [
                self._message(stable_int(chat_id, i) % 10**6, fan, self.now - timedelta(hours=i + 1)) for i in range(3)
            ]
        return self._extra[key]

    # -- builders --------------------------------------------------------------------
    def _ago(self, max_days: float, min_days: float = 0.0) -> datetime:
        return self.now - timedelta(seconds=self.rng.uniform(min_days * 86400, max_days * 86400))

    def _fan(self, i: int) -> dict:
        rng = random.Random(stable_int(self.seed, self.account["id"], "fan", i))
        first, last = rng.choice(self.pools.first_names), rng.choice(self.pools.last_names)
        fid = 100_000_000 + stable_int(self.account["id"], "fan", i) % 800_000_000
        active = i < self.sizes["active_fans"]
        subscribed = self.now - timedelta(days=rng.uniform(2, 600))
        expires = self.now + timedelta(days=rng.uniform(1, 30)) if active else subscribed + timedelta(days=30)
        tips, msgs, posts = (round(rng.choice((0, 0, 5, 10, 25, 50)) * rng.random(), 2) for _ in range(3))
        subs = round(9.99 * max(1, int((min(expires, self.now) - subscribed).days / 30)), 2)
        return {
            "_key": f"{self.account['id']}/fan/{fid}",
            "id": fid,
            "username": f"{first.lower()}{last.lower()[:3]}{i}",
            "name": f"{first} {last}",
            "displayName": first,
            "avatar": cdn_url(rng, fid, 400, 400),
            "header": cdn_url(rng, fid, 1500, 500),
            "avatarThumbs": {
                "c50": cdn_url(rng, fid, 50, 50, thumbs=True),
                "c144": cdn_url(rng, fid, 144, 144, thumbs=True),
            },
            "lastSeen": iso(self.now - timedelta(hours=rng.uniform(0, 300))),
            "isPerformer": False,
            "view": "f",
            "subscribedOn": active,
            "subscribedOnExpiredNow": not active,
            "subscribedBy": False,
            "subscribedOnData": {
                "price": 9.99,
                "regularPrice": 9.99,
                "subscribeAt": iso(subscribed),
                "expiredAt": iso(expires),
                "renewedAt": iso(subscribed + timedelta(days=30)) if active else None,
                "status": "Active" if active else "Expired",
                "subscribesSumm": subs,
                "tipsSumm": tips,
                "messagesSumm": msgs,
                "postsSumm": posts,
                "streamsSumm": 0.0,
                "totalSumm": round(subs + tips + msgs + posts, 2),
            },
        }

    def _media(self, i: int) -> dict:
        rng = random.Random(stable_int(self.seed, self.account["id"], "media", i))
        mid = 3_000_000_000 + stable_int(self.account["id"], "media", i) % 900_000_000
        video = rng.random() < 0.3
        owner = self.account["onlyfans_id"]
        w, h = rng.choice(((1080, 1350), (1920, 1080), (3840, 5760), (1200, 1600)))
        full = cdn_url(rng, owner, w, h, "mp4" if video else "jpg")
        return {
            "_key": f"{self.account['id']}/media/{mid}",
            "id": mid,
            "type": "video" if video else "photo",
            "createdAt": iso(self._ago(500)),
            "canView": True,
            "isReady": True,
            "hasError": False,
            "duration": rng.randint(5, 600) if video else 0,
            "convertedToVideo": False,
            "files": {
                "full": {"url": full, "width": w, "height": h, "size": rng.randint(200_000, 90_000_000), "sources": []},
                "thumb": {"url": cdn_url(rng, owner, 300, 300, thumbs=True), "width": 300, "height": 300},
                "preview": {"url": cdn_url(rng, owner, 960, 1280, thumbs=True), "width": 960, "height": 1280},
                "squarePreview": {"url": cdn_url(rng, owner, 960, 960, thumbs=True), "width": 960, "height": 960},
            },
            "videoSources": {"240": cdn_url(rng, owner, 426, 240, "mp4"), "720": full} if video else {},
        }

    def _message(self, i: int, fan: dict, at: datetime, *, ident=None, from_creator: bool | None = None) -> dict:
        rng = random.Random(stable_int(self.seed, self.account["id"], "message", fan["id"], i))
        mine = rng.random() < 0.5 if from_creator is None else from_creator
        media = [self.media[rng.randrange(len(self.media))] for _ in range(rng.choice((0, 0, 0, 1, 2)))]
        price = rng.choice((0, 0, 0, 5, 10, 15)) if mine and media else 0
        mid = (
            ident
            if ident is not None
            else 5_000_000_000 + stable_int(self.account["id"], "message", fan["id"], i) % 900_000_000
        )
        return {
            "_key": f"{self.account['id']}/message/{mid}",
            "id": mid,
            "text": f"<p>{rng.choice(self.pools.sentences)}</p>",
            "isSentByMe": mine,
            "fromUser": {"id": self.account["onlyfans_id"] if mine else fan["id"], "_view": "s"},
            "createdAt": iso(at),
            "changedAt": iso(at),
            "price": price,
            "isFree": price == 0,
            "isTip": False,
            "media": media,
            "mediaCount": len(media),
            "previews": [],
            "isOpened": True,
            "isNew": False,
            "canPurchase": price > 0 and not mine,
            "responseType": "message",
            "chat_id": fan["id"],
        }

    def _chats(self) -> tuple[list[dict], dict]:
        chats, messages = [], {}
        lo, hi = self.sizes["messages_per_chat"]
        for fan in self.fans[: self.sizes["chats"]]:
            rng = random.Random(stable_int(self.seed, self.account["id"], "chat", fan["id"]))
            start = datetime.fromisoformat(fan["subscribedOnData"]["subscribeAt"])
            count = rng.randint(lo, hi)
            span = (self.now - start).total_seconds()
            times = sorted((start + timedelta(seconds=rng.uniform(0, span)) for _ in range(count)), reverse=True)
            thread = [self._message(n, fan, at) for n, at in enumerate(times)]  # newest first
            messages[fan["id"]] = thread
            unread = next((n for n, m in enumerate(thread) if m["isSentByMe"]), len(thread))
            chats.append(
                {
                    "_key": f"{self.account['id']}/chat/{fan['id']}",
                    "id": fan["id"],
                    "fan": fan,
                    "withUser": fan,
                    "lastMessage": thread[0],
                    "unreadMessagesCount": unread,
                    "hasUnreadTips": False,
                    "lastReadMessageId": thread[min(unread, len(thread) - 1)]["id"],
                    "canSendMessage": True,
                }
            )
        chats.sort(key=lambda c: c["lastMessage"]["createdAt"], reverse=True)
        return chats, messages

    def _post(self, i: int) -> dict:
        rng = random.Random(stable_int(self.seed, self.account["id"], "post", i))
        pid = 1_000_000_000 + stable_int(self.account["id"], "post", i) % 900_000_000
        at = iso(self._ago(365))
        media = [self.media[rng.randrange(len(self.media))] for _ in range(rng.randint(0, 3))]
        text = rng.choice(self.pools.sentences)
        return {
            "_key": f"{self.account['id']}/post/{pid}",
            "id": pid,
            "postedAt": at,
            "text": f"<p>{text}</p>",
            "rawText": text,
            "author": self.creator,
            "media": media,
            "mediaCount": len(media),
            "likesCount": rng.randint(0, 900),
            "commentsCount": rng.randint(0, 60),
            "price": 0,
            "isOpened": True,
        }

    def _story(self, i: int) -> dict:
        rng = random.Random(stable_int(self.seed, self.account["id"], "story", i))
        sid = 7_000_000 + stable_int(self.account["id"], "story", i) % 900_000
        return {
            "_key": f"{self.account['id']}/story/{sid}",
            "id": sid,
            "userId": self.account["onlyfans_id"],
            "createdAt": iso(self._ago(1)),
            "isWatched": False,
            "media": [self.media[rng.randrange(len(self.media))]],
            "viewersCount": rng.randint(0, 400),
        }

    # Descriptions as OnlyFans writes them; `_kind` is the ground truth a classifier must find.
    DESCRIPTIONS = (
        ("subs", "Subscription from"),
        ("subs", "Recurring subscription from"),
        ("tips", "Tip from"),
        ("tips", "Tip in chat from"),
        ("tips", "Tip on post from"),
        ("chat_messages", "Payment for message from"),
        ("post", "Post purchase by"),
        ("stream", "Stream from"),
    )

    def _transactions(self) -> list[dict]:
        out = []
        for i in range(self.sizes["transactions"]):
            rng = random.Random(stable_int(self.seed, self.account["id"], "transaction", i))
            fan = self.fans[rng.randrange(len(self.fans))]
            kind, phrase = rng.choice(self.DESCRIPTIONS)
            amount = 9.99 if kind == "subs" else round(rng.choice((3, 5, 10, 15, 25, 50)) + rng.random(), 2)
            link = f'<a href="https://onlyfans.com/{fan["username"]}">{fan["name"]}</a>'
            out.append(
                {
                    "_key": f"{self.account['id']}/transaction/{i}",
                    "_kind": kind,
                    "id": f"tr{stable_int(self.account['id'], 'transaction', i) % 10**12:012d}",
                    "amount": amount,
                    "net": round(amount * 0.8, 2),
                    "fee": round(amount * 0.2, 2),
                    "vatAmount": 0,
                    "taxAmount": 0,
                    "mediaTaxAmount": 0,
                    "currency": "USD",
                    "createdAt": iso(self._ago(120)),
                    "description": f"{phrase} {link}",
                    "status": "done",
                    "payoutPendingDays": rng.randint(0, 7),
                    "user": fan,
                }
            )
        out.sort(key=lambda t: t["createdAt"], reverse=True)
        return out

    def _tracking_link(self, i: int) -> dict:
        rng = random.Random(stable_int(self.seed, self.account["id"], "tracking", i))
        code = 1_000_000 + stable_int(self.account["id"], "tracking", i) % 9_000_000
        return {
            "_key": f"{self.account['id']}/tracking/{code}",
            "id": code,
            "campaignCode": code,
            "campaignName": f"{rng.choice(self.pools.words)} {rng.choice(self.pools.words)}",
            "clicksCount": rng.randint(50, 5000),
            "subscribersCount": rng.randint(0, 300),
            "createdAt": iso(self._ago(300, 30)),
            "endDate": None,
        }

    def _trial_link(self, i: int) -> dict:
        rng = random.Random(stable_int(self.seed, self.account["id"], "trial", i))
        tid = 2_000_000 + stable_int(self.account["id"], "trial", i) % 9_000_000
        days = rng.choice((1, 3, 7, 14, 30))
        return {
            "_key": f"{self.account['id']}/trial/{tid}",
            "id": tid,
            "trialLinkName": f"{rng.choice(self.pools.words)} trial",
            "subscribeDays": days,
            "subscribeCounts": rng.randint(0, 200),
            "claimCounts": rng.randint(0, 200),
            "clicksCounts": rng.randint(10, 3000),
            "createdAt": iso(self._ago(200, 10)),
            "expiredAt": iso(self.now + timedelta(days=rng.randint(5, 90))),
            "isFinished": False,
        }


def _as_id(value):
    """OnlyFans ids are numbers; path parameters arrive as strings."""
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return value


class World:
    """All accounts' worlds for one seed. Fixture accounts keep their ids; any other account
    id gets a world derived from it."""

    def __init__(self, seed: int | None = None, fixtures: dict | None = None):
        self.fixtures = fixtures or load_fixtures()
        self.seed = self.fixtures["seed"] if seed is None else seed
        self.now = datetime.fromisoformat(self.fixtures["now"])
        self.pools = Pools(self.seed)
        self.accounts = {a["id"]: a for a in self.fixtures["accounts"]}
        self._worlds: dict[str, AccountWorld] = {}

    def account(self, account_id: str) -> AccountWorld:
        world = self._worlds.get(account_id)
        if world is None:
            world = self._worlds[account_id] = AccountWorld(
                self.accounts.get(account_id) or self._stranger(account_id),
                self.pools,
                self.seed,
                self.now,
                self.fixtures["sizes"],
                self._connected,
            )
        return world

    @cached_property
    def _connected(self) -> list[dict]:
        """The fixture accounts as OFAPI lists them (each with its OnlyFans profile)."""
        return [
            {
                "_key": f"account/{a['id']}",
                "id": a["id"],
                "display_name": a["display_name"],
                "onlyfans_id": a["onlyfans_id"],
                "onlyfans_username": a["username"],
                "onlyfans_email": a["email"],
                "is_authenticated": True,
                "authentication_progress": "completed",
                "onlyfans_user_data": creator_profile(a, self.pools, self.seed, self.now),
            }
            for a in self.fixtures["accounts"]
        ]

    def _stranger(self, account_id: str) -> dict:
        rng = random.Random(stable_int(self.seed, "account", account_id))
        name = rng.choice(self.pools.first_names)
        username = f"{name.lower()}_{rng.randint(100, 999)}"
        return {
            "id": account_id,
            "display_name": f"{name} (generated)",
            "username": username,
            "name": name,
            "onlyfans_id": 400_000_000 + stable_int(account_id) % 99_000_000,
            "email": f"{username}@example.com",
        }
