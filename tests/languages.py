"""The language the test clients read the gateway's messages in: English, so assertions on a
message's text say what they check in the language the code's authors wrote it in. Tests of the
Vietnamese default send no `Accept-Language` (or ask for `vi`)."""

ENGLISH = {"Accept-Language": "en"}
