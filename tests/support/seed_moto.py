"""Seeds a moto server for cloudcase's AWS acquisition tests and prints what it created as JSON.

usage: seed_moto.py ENDPOINT s3 BUCKET N_DAYS [LARGE_BYTES]   CloudTrail logs, digests and a loose file
       seed_moto.py ENDPOINT inventory                        IAM and EC2 resources in us-east-1 and eu-west-1

Never contacts AWS: every client is pointed at ENDPOINT with dummy credentials.
"""
import datetime
import gzip
import hashlib
import json
import sys

import boto3

ACCOUNTS = ["111122223333", "444455556666"]
REGIONS = ["us-east-1", "eu-west-1"]


def client(endpoint, service, region="us-east-1"):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def seed_s3(endpoint, bucket, days, large):
    s3 = client(endpoint, "s3")
    s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket + "-replica")  # stands for the other account's evidence bucket
    objects = []
    start = datetime.datetime(2024, 5, 17, tzinfo=datetime.timezone.utc)
    n = 0
    for day in range(days):
        for account in ACCOUNTS:
            for region in REGIONS:
                for hour in (3, 15):
                    t = start + datetime.timedelta(days=day, hours=hour, minutes=5 * n % 60)
                    n += 1
                    stamp = t.strftime("%Y%m%dT%H%MZ")
                    key = (
                        f"AWSLogs/{account}/CloudTrail/{region}/{t:%Y/%m/%d}/"
                        f"{account}_CloudTrail_{region}_{stamp}_{n:04d}.json.gz"
                    )
                    record = {
                        "eventVersion": "1.08",
                        "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "eventSource": "s3.amazonaws.com",
                        "eventName": "ListBuckets",
                        "awsRegion": region,
                        "recipientAccountId": account,
                        "eventID": f"evt-{n}",
                        # Padding makes some objects large enough for an interruption to land mid-copy.
                        "requestParameters": {"pad": "x" * (large if n % 7 == 0 else 10)},
                    }
                    body = gzip.compress(json.dumps({"Records": [record]}).encode(), mtime=0)
                    s3.put_object(Bucket=bucket, Key=key, Body=body)
                    objects.append({"key": key, "sha256": hashlib.sha256(body).hexdigest(),
                                    "time": t.strftime("%Y-%m-%dT%H:%M:00Z")})
        # One digest a day, with the signature metadata CloudTrail sets.
        t = start + datetime.timedelta(days=day, hours=23, minutes=30, seconds=7)
        key = (f"AWSLogs/{ACCOUNTS[0]}/CloudTrail-Digest/us-east-1/{t:%Y/%m/%d}/"
               f"{ACCOUNTS[0]}_CloudTrail-Digest_us-east-1_trail_us-east-1_{t:%Y%m%dT%H%M%SZ}.json.gz")
        body = gzip.compress(json.dumps({"digestStartTime": "x", "logFiles": []}).encode(), mtime=0)
        signature = hashlib.sha256(key.encode()).hexdigest()
        s3.put_object(Bucket=bucket, Key=key, Body=body,
                      Metadata={"signature": signature, "signature-algorithm": "SHA256withRSA"})
        objects.append({"key": key, "sha256": hashlib.sha256(body).hexdigest(),
                        "time": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "signature": signature})
    loose = b"not a log"
    s3.put_object(Bucket=bucket, Key="README.txt", Body=loose)
    objects.append({"key": "README.txt", "sha256": hashlib.sha256(loose).hexdigest(), "time": None})
    return {"bucket": bucket, "objects": objects}


def seed_inventory(endpoint):
    out = {"users": [], "access_keys": [], "groups": [], "roles": [], "policies": [],
           "instances": [], "security_groups": [], "key_pairs": [], "volumes": [],
           "snapshots": [], "images": [], "spot_requests": []}
    iam = client(endpoint, "iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    doc = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    policy = iam.create_policy(PolicyName="cc-read", PolicyDocument=doc)["Policy"]["Arn"]
    out["policies"].append(policy)
    iam.create_group(GroupName="admins")
    out["groups"].append("admins")
    for name in ("alice", "bob", "mallory"):
        iam.create_user(UserName=name)
        out["users"].append(name)
        key = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
        out["access_keys"].append(key)
    iam.create_login_profile(UserName="alice", Password="Testing-Passw0rd!")
    iam.add_user_to_group(UserName="mallory", GroupName="admins")
    iam.attach_user_policy(UserName="bob", PolicyArn=policy)
    iam.put_user_policy(UserName="mallory", PolicyName="inline-all", PolicyDocument=doc)
    for name in ("ec2-role", "backdoor-role"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
        out["roles"].append(name)
    for region in REGIONS:
        ec2 = client(endpoint, "ec2", region)
        sg = ec2.create_security_group(GroupName=f"open-{region}", Description="ssh")["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        out["security_groups"].append(sg)
        ec2.create_key_pair(KeyName=f"attacker-{region}")
        out["key_pairs"].append(f"attacker-{region}")
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        run = ec2.run_instances(ImageId=image, MinCount=2, MaxCount=2, InstanceType="t3.micro",
                                KeyName=f"attacker-{region}", SecurityGroupIds=[sg])
        ids = [i["InstanceId"] for i in run["Instances"]]
        out["instances"].extend(ids)
        vol = ec2.create_volume(AvailabilityZone=f"{region}a", Size=8)["VolumeId"]
        out["volumes"].append(vol)
        snap = ec2.create_snapshot(VolumeId=vol)["SnapshotId"]
        ec2.modify_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission",
                                      OperationType="add", UserIds=["999988887777"])
        out["snapshots"].append(snap)
        ami = ec2.create_image(InstanceId=ids[0], Name=f"exfil-{region}")["ImageId"]
        ec2.modify_image_attribute(ImageId=ami, LaunchPermission={"Add": [{"Group": "all"}]})
        out["images"].append(ami)
        spot = ec2.request_spot_instances(SpotPrice="0.5", InstanceCount=1, LaunchSpecification={
            "ImageId": image, "InstanceType": "p3.2xlarge"})["SpotInstanceRequests"][0]["SpotInstanceRequestId"]
        out["spot_requests"].append(spot)
    return out


def main():
    endpoint, what = sys.argv[1], sys.argv[2]
    if what == "s3":
        large = int(sys.argv[5]) if len(sys.argv) > 5 else 10
        result = seed_s3(endpoint, sys.argv[3], int(sys.argv[4]), large)
    elif what == "inventory":
        result = seed_inventory(endpoint)
    else:
        sys.exit(f"unknown seed {what!r}: expected s3 or inventory")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
