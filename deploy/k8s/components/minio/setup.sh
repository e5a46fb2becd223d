#!/bin/sh
# Run by the Job minio-setup. Idempotent: every step may run again (Job retry, rerun after an upgrade).
# Never prints a credential: mc reads them from the environment.
set -eu
export MC_HOST_circuits="http://${MINIO_ROOT_USER}:${MINIO_ROOT_PASSWORD}@${MINIO_URL#http://}"
# MinIO may still be starting: wait up to 5 minutes for it.
i=0
until mc ready circuits >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -ge 60 ] && { echo "MinIO at $MINIO_URL not ready after 5 min" >&2; exit 1; }
  sleep 5
done
mc mb --ignore-existing "circuits/${BUCKET}"
# The policy names the bucket; the template has the placeholder BUCKET.
sed "s/BUCKET/${BUCKET}/g" /setup/bucket-policy.json > /tmp/policy.json
mc admin policy create circuits circuits-artifacts /tmp/policy.json
# Adding an existing user sets its secret again, so rotating circuits-s3 and rerunning the Job rotates it.
mc admin user add circuits "${S3_ACCESS_KEY}" "${S3_SECRET_KEY}"
# Attaching an already attached policy fails with "already"; anything else is an error.
if ! out=$(mc admin policy attach circuits circuits-artifacts --user "${S3_ACCESS_KEY}" 2>&1); then
  case "$out" in *already*) ;; *) echo "$out" >&2; exit 1 ;; esac
fi
echo "bucket ${BUCKET} ready; the key of Secret circuits-s3 may use it (policy circuits-artifacts)"
