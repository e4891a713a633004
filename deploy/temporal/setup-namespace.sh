#!/bin/sh
# The namespace and phancong's search attributes (phancong's worker also registers missing ones itself).
set -eu
until temporal operator cluster health --address "$TEMPORAL_ADDRESS"; do sleep 2; done
temporal operator namespace describe -n default --address "$TEMPORAL_ADDRESS" \
  || temporal operator namespace create -n default --retention 3650d --address "$TEMPORAL_ADDRESS"
for name in AssignmentStage DirectiveId PostId CommuneId CellId MemberId; do
  temporal operator search-attribute create --name "$name" --type Keyword -n default --address "$TEMPORAL_ADDRESS" || true
done
