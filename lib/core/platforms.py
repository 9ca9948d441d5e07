"""The live-stream platforms the team sells on, and the names their files and people use for them."""

PLATFORMS = ("douyin", "kuaishou", "taobao", "jd")
# Every spelling seen in exports and typed by users -> platform key (lower-cased Latin keys included).
PLATFORM_NAMES = {
    "douyin": "douyin",
    "抖音": "douyin",
    "抖音电商": "douyin",
    "抖店": "douyin",
    "kuaishou": "kuaishou",
    "快手": "kuaishou",
    "快手小店": "kuaishou",
    "taobao": "taobao",
    "淘宝": "taobao",
    "淘宝直播": "taobao",
    "点淘": "taobao",
    "天猫": "taobao",
    "jd": "jd",
    "京东": "jd",
    "京东直播": "jd",
}
