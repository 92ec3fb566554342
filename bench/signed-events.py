#!/usr/bin/env python3
"""Signed ElevenLabs post-call webhooks for bench/signed.lua: COUNT lines "signature<TAB>body", each with
its own conversation id (numbered from FIRST, default 0), signed now with SECRET (valid for the relay's
30-minute tolerance). Usage: signed-events.py COUNT SECRET PATH [FIRST]"""
import hashlib, hmac, sys, time

count, secret, path = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
first = int(sys.argv[4]) if len(sys.argv) > 4 else 0  # the first conversation id's number
stamp = str(int(time.time())).encode()
with open(path, "w") as out:
    for n in range(first, first + count):
        body = ('{"type":"post_call_transcription","event_timestamp":1764100000,"data":{"conversation_id":"conv_%026d",'
                '"agent_id":"agent_123","analysis":{"call_successful":"success"}}}' % n)
        signature = hmac.new(secret, stamp + b"." + body.encode(), hashlib.sha256).hexdigest()
        out.write("t=%s,v0=%s\t%s\n" % (stamp.decode(), signature, body))
