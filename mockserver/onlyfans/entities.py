"""Single OnlyFans entities, each from its own seeded randomness.

Entities are *partial* OnlyFans objects (OnlyFans field names); the renderer completes them
from the spec. Keys starting with `_` are the world's own bookkeeping and are never rendered:
`_key` names an entity (render cache, per-field randomness), `_kind` and `_tips_source` are the
ground truth behind a transaction's description, `_source` the link a fan came through.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import random
from datetime import datetime, timedelta

from ..diskcache import kept
from .relations import FEE_SHARE


def stable_int(*parts) -> int:
    """A 64-bit integer from `parts`, the same in every process (unlike `hash`)."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


class Pools:
    """Words, names and sentences made once by a seeded Faker; entities draw from them."""

    def __init__(self, seed: int):
        from faker import Faker  # only when the pools are not kept: importing it takes 50 ms

        fake = Faker("en_US")
        fake.seed_instance(seed)
        self.first_names = [fake.first_name() for _ in range(300)]
        self.last_names = [fake.last_name() for _ in range(300)]
        self.words = sorted({fake.word() for _ in range(800)} - {"true", "false", "null"})  # words, not literals
        self.sentences = [fake.sentence(nb_words=9) for _ in range(300)]
        self.cities = [fake.city() for _ in range(80)]
        self.countries = [fake.country_code() for _ in range(60)]
        self.user_agents = [fake.user_agent() for _ in range(40)]
        self.ips = [fake.ipv4_public() for _ in range(200)]
        self.domains = [fake.domain_name() for _ in range(40)]
        self.country_names = [fake.country() for _ in range(60)]


def pools(seed: int) -> Pools:
    """The seed's pools, kept in the user's cache by the seed, Faker's install (a new version
    may make other words) and this module's code; made once otherwise (80 ms)."""
    faker = importlib.util.find_spec("faker")
    installed = os.stat(faker.origin).st_mtime_ns if faker and faker.origin else 0
    with open(__file__, "rb") as fh:
        code = fh.read()
    return kept("pools", f"{seed}|{faker and faker.origin}|{installed}|".encode() + code, lambda: Pools(seed))


def cdn_url(rng: random.Random, owner: int, width: int, height: int, *, ext: str = "jpg", thumbs: bool = False) -> str:
    """A signed OnlyFans CDN URL in the shape OnlyFans hands out."""
    digest = f"{rng.getrandbits(128):032x}"
    folder = "files/thumbs" if thumbs else "files"
    policy = f"{rng.getrandbits(160):040x}"
    return (
        f"https://cdn{rng.choice((2, 3))}.onlyfans.com/{folder}/{digest[0]}/{digest[:2]}/{digest}/"
        f"{width}x{height}_{digest}.{ext}?Tag=2&u={owner}&Policy={policy}&Signature={digest[::-1]}"
        "&Key-Pair-Id=APKAMOCKOFAPI0000000"
    )


def protect(media: dict, rng: random.Random) -> None:
    """Make a video DRM-protected (Widevine), as OnlyFans serves such files: no plain `full`
    URL, but HLS and DASH manifests with the signed CloudFront cookies that open them."""
    digest = f"{rng.getrandbits(128):032x}"
    path = f"files/{digest[0]}/{digest[:2]}/{digest}/{digest}"
    signed = {
        "CloudFront-Policy": f"{rng.getrandbits(256):064x}",
        "CloudFront-Signature": f"{rng.getrandbits(256):064x}",
        "CloudFront-Key-Pair-Id": "APKAMOCKOFAPI0000000",
    }
    media["files"]["full"]["url"] = None
    media["files"]["drm"] = {
        "manifest": {
            "hls": f"https://cdn3.onlyfans.com/hls/{path}.m3u8",
            "dash": f"https://cdn3.onlyfans.com/dash/{path}.mpd",
        },
        "signature": {"hls": dict(signed), "dash": dict(signed)},
    }


def portrait(rng: random.Random, owner: int) -> dict:
    """A profile's pictures on the OnlyFans CDN: avatar, header and avatar thumbnails."""
    return {
        "avatar": cdn_url(rng, owner, 400, 400),
        "header": cdn_url(rng, owner, 1500, 500),
        "avatarThumbs": {
            "c50": cdn_url(rng, owner, 50, 50, thumbs=True),
            "c144": cdn_url(rng, owner, 144, 144, thumbs=True),
        },
    }


def profile_link(user: dict) -> str:
    return f'<a href="https://onlyfans.com/{user["username"]}">{user["name"]}</a>'


# How OnlyFans describes an earning: (phrase, kind OFAPI computes, tip source). The phrases are
# the ones integrators observe; `kind` is the ground truth a classifier must recover.
SUBSCRIPTION = ("Subscription from", "subs", None)
RENEWAL = ("Recurring subscription from", "subs", None)
PURCHASES = (
    ("Tip from", "tips", "profile"),
    ("Tip in chat from", "tips", "chat"),
    ("Tip on post from", "tips", "post_all"),
    ("Tip on stream from", "tips", "stream"),
    ("Tip on story from", "tips", "story"),
    ("Payment for message from", "chat_messages", None),
    ("Post purchase by", "post", None),
    ("Stream from", "stream", None),
)
SUMMS = {
    "subs": "subscribesSumm",
    "tips": "tipsSumm",
    "chat_messages": "messagesSumm",
    "post": "postsSumm",
    "stream": "streamsSumm",
}


class EntityMaker:
    """Makes one account's entities; each from randomness keyed by (seed, account, kind, n)."""

    def __init__(self, account: dict, pools: Pools, seed: int, now: datetime):
        self.account = account
        self.pools = pools
        self.seed = seed
        self.now = now
        self.acct = account["id"]

    def rng(self, *parts) -> random.Random:
        return random.Random(stable_int(self.seed, self.acct, *parts))

    def ident(self, base: int, span: int, *parts) -> int:
        return base + stable_int(self.seed, self.acct, *parts) % span

    def ago(self, rng: random.Random, max_days: float, min_days: float = 0.0) -> datetime:
        return self.now - timedelta(seconds=rng.uniform(min_days * 86400, max_days * 86400))

    def creator(self) -> dict:
        """The account's own OnlyFans profile (what OnlyFans' /users/me says)."""
        a, rng, oid = self.account, self.rng("creator"), self.account["onlyfans_id"]
        return {
            "_key": f"{self.acct}/creator",
            "id": oid,
            "username": a["username"],
            "name": a["name"],
            "displayName": a["display_name"],
            "email": a["email"],
            "isPerformer": True,
            "isVerified": True,
            **portrait(rng, oid),
            "headerThumbs": {
                "w480": cdn_url(rng, oid, 480, 160, thumbs=True),
                "w760": cdn_url(rng, oid, 760, 253, thumbs=True),
            },
            "joinDate": iso(self.ago(rng, 900, 700)),
            "subscribePrice": 9.99,
            "currentSubscribePrice": 9.99,
            "about": rng.choice(self.pools.sentences),
            "location": rng.choice(self.pools.cities),
            "website": f"https://{rng.choice(self.pools.domains)}",
            "view": "m",
        }

    def fan(self, i: int, active: bool) -> dict:
        rng = self.rng("fan", i)
        first, last = rng.choice(self.pools.first_names), rng.choice(self.pools.last_names)
        fid = self.ident(100_000_000, 800_000_000, "fan", i)
        subscribed = self.now - timedelta(days=rng.uniform(2, 600))
        expires = self.now + timedelta(days=rng.uniform(1, 30)) if active else subscribed + timedelta(days=30)
        return {
            "_key": f"{self.acct}/fan/{fid}",
            "id": fid,
            "username": f"{first.lower()}{last.lower()[:3]}{i}",
            "name": f"{first} {last}",
            "displayName": first,
            **portrait(rng, fid),
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
                **{field: 0.0 for field in SUMMS.values()},
                "totalSumm": 0.0,
            },
        }

    def earnings(self, fan: dict) -> list[dict]:
        """The fan's transactions: the subscription, its renewals while subscribed, and purchases.
        The fan's `subscribedOnData` sums are set from them, so both views agree."""
        rng = self.rng("earnings", fan["id"])
        data = fan["subscribedOnData"]
        start = datetime.fromisoformat(data["subscribeAt"])
        end = min(datetime.fromisoformat(data["expiredAt"]), self.now)
        events = [(start, SUBSCRIPTION, 9.99)]
        renewal = start + timedelta(days=30)
        while renewal < end:
            events.append((renewal, RENEWAL, 9.99))
            renewal += timedelta(days=30)
        span = max((end - start).total_seconds(), 3600)
        for _ in range(rng.choice((0, 0, 1, 2, 3, 5))):
            phrase = rng.choice(PURCHASES)
            amount = round(rng.choice((3, 5, 10, 15, 25, 50)) + rng.random(), 2)
            events.append((start + timedelta(seconds=rng.uniform(0, span)), phrase, amount))
        out = []
        for n, (at, (phrase, kind, tips_source), amount) in enumerate(events):
            out.append(
                {
                    "_key": f"{self.acct}/transaction/{fan['id']}/{n}",
                    "_kind": kind,
                    "_tips_source": tips_source,
                    "id": f"tr{stable_int(self.acct, 'transaction', fan['id'], n) % 10**12:012d}",
                    "amount": amount,
                    "net": round(amount - round(amount * FEE_SHARE, 2), 2),  # amount = net + fee, to the cent
                    "fee": round(amount * FEE_SHARE, 2),
                    "vatAmount": 0,
                    "taxAmount": 0,
                    "mediaTaxAmount": 0,
                    "currency": "USD",
                    "createdAt": iso(at),
                    "description": f"{phrase} {profile_link(fan)}",
                    "status": "done",
                    "payoutPendingDays": max(0, 7 - (self.now - at).days),
                    "user": fan,
                }
            )
            data[SUMMS[kind]] = round(data[SUMMS[kind]] + amount, 2)
        data["totalSumm"] = round(sum(data[f] for f in SUMMS.values()), 2)
        return out

    def media(self, i: int) -> dict:
        rng = self.rng("media", i)
        mid = self.ident(3_000_000_000, 900_000_000, "media", i)
        video = rng.random() < 0.3
        owner = self.account["onlyfans_id"]
        w, h = rng.choice(((1080, 1350), (1920, 1080), (3840, 5760), (1200, 1600)))
        full = cdn_url(rng, owner, w, h, ext="mp4" if video else "jpg")
        item = {
            "_key": f"{self.acct}/media/{mid}",
            "id": mid,
            "type": "video" if video else "photo",
            "createdAt": iso(self.ago(rng, 500)),
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
                "drm": None,
            },
            "videoSources": {"240": cdn_url(rng, owner, 426, 240, ext="mp4"), "720": full} if video else {},
        }
        if video and self.rng("drm", i).random() < 0.5:
            protect(item, self.rng("drm", i, "files"))
        return item

    def message(self, n: int, fan: dict, at: datetime, vault: list[dict], ident=None) -> dict:
        rng = self.rng("message", fan["id"], n)
        mine = rng.random() < 0.5
        media = [vault[rng.randrange(len(vault))] for _ in range(rng.choice((0, 0, 0, 1, 2)))]
        price = rng.choice((0, 0, 0, 5, 10, 15)) if mine and media else 0
        mid = ident if ident is not None else self.ident(5_000_000_000, 900_000_000, "message", fan["id"], n)
        return {
            "_key": f"{self.acct}/message/{mid}",
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
        }

    def thread(self, fan: dict, count: int, vault: list[dict]) -> list[dict]:
        """A chat's messages, newest first, between the fan's subscription and now."""
        rng = self.rng("chat", fan["id"])
        start = datetime.fromisoformat(fan["subscribedOnData"]["subscribeAt"])
        span = (self.now - start).total_seconds()
        times = sorted((start + timedelta(seconds=rng.uniform(0, span)) for _ in range(count)), reverse=True)
        return [self.message(n, fan, at, vault) for n, at in enumerate(times)]

    def chat(self, fan: dict, thread: list[dict]) -> dict:
        unread = next((n for n, m in enumerate(thread) if m["isSentByMe"]), len(thread))
        return {
            "_key": f"{self.acct}/chat/{fan['id']}",
            "id": fan["id"],
            "fan": fan,
            "withUser": fan,
            "lastMessage": thread[0] if thread else None,
            "unreadMessagesCount": unread,
            "hasUnreadTips": False,
            "lastReadMessageId": thread[min(unread, len(thread) - 1)]["id"] if thread else 0,
            "canSendMessage": True,
        }

    def post(self, i: int, author: dict, vault: list[dict]) -> dict:
        rng = self.rng("post", i)
        pid = self.ident(1_000_000_000, 900_000_000, "post", i)
        text = rng.choice(self.pools.sentences)
        media = [vault[rng.randrange(len(vault))] for _ in range(rng.randint(0, 3))]
        return {
            "_key": f"{self.acct}/post/{pid}",
            "id": pid,
            "postedAt": iso(self.ago(rng, 365)),
            "text": f"<p>{text}</p>",
            "rawText": text,
            "author": author,
            "media": media,
            "mediaCount": len(media),
            "likesCount": rng.randint(0, 900),
            "commentsCount": rng.randint(0, 60),
            "price": 0,
            "isOpened": True,
        }

    def story(self, i: int, vault: list[dict]) -> dict:
        rng = self.rng("story", i)
        sid = self.ident(7_000_000, 900_000, "story", i)
        return {
            "_key": f"{self.acct}/story/{sid}",
            "id": sid,
            "userId": self.account["onlyfans_id"],
            "createdAt": iso(self.ago(rng, 1)),
            "isWatched": False,
            "media": [vault[rng.randrange(len(vault))]],
            "viewersCount": rng.randint(0, 400),
        }

    def tracking_link(self, i: int) -> dict:
        rng = self.rng("tracking", i)
        code = self.ident(1_000_000, 9_000_000, "tracking", i)
        return {
            "_key": f"{self.acct}/tracking/{code}",
            "id": code,
            "campaignCode": code,
            "campaignName": f"{rng.choice(self.pools.words)} {rng.choice(self.pools.words)}",
            "campaignUrl": f"https://onlyfans.com/{self.account['username']}/c{code}",
            "tags": [],
            "clicksCount": rng.randint(50, 5000),
            "subscribersCount": 0,
            "createdAt": iso(self.ago(rng, 700, 600)),
            "endDate": None,
        }

    def trial_link(self, i: int) -> dict:
        rng = self.rng("trial", i)
        tid = self.ident(2_000_000, 9_000_000, "trial", i)
        code = f"{stable_int(self.acct, 'trial', tid):x}"[:10]
        return {
            "_key": f"{self.acct}/trial/{tid}",
            "id": tid,
            "_code": code,
            "url": f"https://onlyfans.com/{self.account['username']}/trial/{code}",
            "tags": [],
            "trialLinkName": f"{rng.choice(self.pools.words)} trial",
            "subscribeDays": rng.choice((1, 3, 7, 14, 30)),
            "subscribeCounts": 0,
            "claimCounts": 0,
            "clicksCounts": rng.randint(10, 3000),
            "createdAt": iso(self.ago(rng, 700, 600)),
            "expiredAt": iso(self.now + timedelta(days=rng.randint(5, 90))),
            "isFinished": False,
        }
