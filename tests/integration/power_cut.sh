#!/bin/bash
# crash_points.sh with a power cut at each fault point, on ext4 and on xfs: the writes dabba did
# not sync are lost (the store's disk is copied as the block device holds it), every process
# ends, the runtime dir is emptied; then the same checks. See crash_points.sh.
rc=0
for fs in ext4 xfs; do
  DABBA_POWER_CUT=1 DABBA_POWER_CUT_FS=$fs bash "$(dirname "$0")/crash_points.sh" || rc=1
done
exit $rc
