#!/bin/bash
# crash_points.sh with a power cut at each fault point: the writes dabba did not sync are lost
# (the store's disk is copied as the block device holds it), every process ends, the runtime dir
# is emptied; then the same checks. See crash_points.sh.
DABBA_POWER_CUT=1 exec bash "$(dirname "$0")/crash_points.sh"
