#!/usr/bin/env bash
# The baseline a script writer would use: FLORA's documented three calls with
# curl (reserve -> multipart form POST to the signed URL -> complete), JSON
# parsed with jq. Usage: curl_flora_upload.sh API_BASE KEY WORKSPACE FILE
set -euo pipefail
api=$1 key=$2 ws=$3 file=$4
name=$(basename "$file")
reserve=$(curl -sS --fail-with-body -X POST "$api/assets" \
  -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d "$(jq -nc --arg ws "$ws" --arg n "$name" '{source:"signed-url",workspace_id:$ws,file_name:$n,content_type:"application/octet-stream"}')")
id=$(jq -r .asset_id <<<"$reserve")
url=$(jq -r .upload.url <<<"$reserve")
field=$(jq -r '.upload.file_field // "file"' <<<"$reserve")
form=()
while IFS= read -r kv; do form+=(-F "$kv"); done < <(jq -r '.upload.form_fields | to_entries[] | "\(.key)=\(.value)"' <<<"$reserve")
curl -sS --fail-with-body -o /dev/null "${form[@]}" -F "$field=@$file" "$url"
curl -sS --fail-with-body -o /dev/null -X POST "$api/assets/$id/complete" -H "Authorization: Bearer $key"
