//! EC2 in every region: instances, security groups, key pairs, volumes,
//! snapshots and AMIs with who may use them, spot requests.

use aws_sdk_ec2::types::{self as ec2, ImageAttributeName, SnapshotAttributeName};
use cloudcase_inventory::{
    Ec2Inventory, Ec2Snapshot, Image, IngressRule, Instance, KeyPair, SecurityGroup, Snapshot,
    SpotRequest, Volume,
};

use super::{time, Errors};
use crate::client::Aws;

/// Fills `snapshot.ec2` from every region of `snapshot.regions`.
pub(super) fn collect(aws: &Aws, snapshot: &mut Snapshot) {
    let mut inv = Ec2Inventory::default();
    for region in snapshot.regions.clone() {
        let mut errors = Errors {
            errors: &mut snapshot.errors,
            region: Some(region.clone()),
        };
        aws.block_on(collect_region(
            &aws.ec2(&region),
            &region,
            &mut errors,
            &mut inv,
        ));
    }
    snapshot.ec2 = Some(inv);
}

/// What one region's collection works with: the client, the region's name, where failed calls
/// go and the inventory being filled.
struct Region<'r, 'e> {
    c: &'r aws_sdk_ec2::Client,
    name: &'r str,
    errors: &'r mut Errors<'e>,
    inv: &'r mut Ec2Inventory,
}

/// Every resource kind of one region, one kind after the other (calls in this order).
async fn collect_region(
    c: &aws_sdk_ec2::Client,
    region: &str,
    errors: &mut Errors<'_>,
    inv: &mut Ec2Inventory,
) {
    let mut r = Region {
        c,
        name: region,
        errors,
        inv,
    };
    instances(&mut r).await;
    security_groups(&mut r).await;
    key_pairs(&mut r).await;
    volumes(&mut r).await;
    snapshots(&mut r).await;
    images(&mut r).await;
    spot_requests(&mut r).await;
}

/// Instances of every reservation.
async fn instances(r: &mut Region<'_, '_>) {
    let reservations =
        r.c.describe_instances()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await;
    for res in r
        .errors
        .take("DescribeInstances", reservations)
        .unwrap_or_default()
    {
        for i in res.instances() {
            r.inv.instances.push(instance(i, r.name));
        }
    }
}

fn instance(i: &ec2::Instance, region: &str) -> Instance {
    Instance {
        id: i.instance_id().unwrap_or_default().to_owned(),
        region: region.to_owned(),
        instance_type: i.instance_type().map(|t| t.as_str().to_owned()),
        state: i
            .state()
            .and_then(|s| s.name())
            .map(|n| n.as_str().to_owned()),
        launch_time: time(i.launch_time()),
        image_id: i.image_id().map(str::to_owned),
        key_name: i.key_name().map(str::to_owned),
        security_groups: i
            .security_groups()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_owned))
            .collect(),
        tags: i
            .tags()
            .iter()
            .filter_map(|t| {
                Some((
                    t.key()?.to_owned(),
                    t.value().unwrap_or_default().to_owned(),
                ))
            })
            .collect(),
    }
}

/// Security groups with their ingress rules.
async fn security_groups(r: &mut Region<'_, '_>) {
    let groups =
        r.c.describe_security_groups()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await;
    for g in r
        .errors
        .take("DescribeSecurityGroups", groups)
        .unwrap_or_default()
    {
        r.inv.security_groups.push(SecurityGroup {
            id: g.group_id().unwrap_or_default().to_owned(),
            region: r.name.to_owned(),
            name: g.group_name().map(str::to_owned),
            vpc_id: g.vpc_id().map(str::to_owned),
            ingress: g.ip_permissions().iter().map(ingress_rule).collect(),
        });
    }
}

/// One ingress permission: protocol, ports, and its IPv4 then IPv6 ranges.
fn ingress_rule(p: &ec2::IpPermission) -> IngressRule {
    IngressRule {
        protocol: p.ip_protocol().map(str::to_owned),
        from_port: p.from_port(),
        to_port: p.to_port(),
        cidrs: p
            .ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip().map(str::to_owned))
            .chain(
                p.ipv6_ranges()
                    .iter()
                    .filter_map(|r| r.cidr_ipv6().map(str::to_owned)),
            )
            .collect(),
    }
}

/// Key pairs (one unpaginated call).
async fn key_pairs(r: &mut Region<'_, '_>) {
    let keys = r.c.describe_key_pairs().send().await;
    if let Some(keys) = r.errors.take("DescribeKeyPairs", keys) {
        for k in keys.key_pairs() {
            r.inv.key_pairs.push(KeyPair {
                name: k.key_name().unwrap_or_default().to_owned(),
                id: k.key_pair_id().map(str::to_owned),
                region: r.name.to_owned(),
                created: time(k.create_time()),
            });
        }
    }
}

/// Volumes with the instances they are attached to.
async fn volumes(r: &mut Region<'_, '_>) {
    let volumes =
        r.c.describe_volumes()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await;
    for v in r
        .errors
        .take("DescribeVolumes", volumes)
        .unwrap_or_default()
    {
        r.inv.volumes.push(Volume {
            id: v.volume_id().unwrap_or_default().to_owned(),
            region: r.name.to_owned(),
            size_gib: v.size(),
            state: v.state().map(|s| s.as_str().to_owned()),
            snapshot_id: v.snapshot_id().filter(|s| !s.is_empty()).map(str::to_owned),
            attached_to: v
                .attachments()
                .iter()
                .filter_map(|a| a.instance_id().map(str::to_owned))
                .collect(),
        });
    }
}

/// Who a create-volume or launch permission names: an account id, or a group (`all`).
fn grantee(user_id: Option<&str>, group: Option<&ec2::PermissionGroup>) -> Option<String> {
    user_id.or(group.map(|g| g.as_str())).map(str::to_owned)
}

/// The account's own snapshots, each with who may create volumes from it.
async fn snapshots(r: &mut Region<'_, '_>) {
    let snapshots =
        r.c.describe_snapshots()
            .owner_ids("self")
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await;
    for s in r
        .errors
        .take("DescribeSnapshots", snapshots)
        .unwrap_or_default()
    {
        let id = s.snapshot_id().unwrap_or_default().to_owned();
        let attr =
            r.c.describe_snapshot_attribute()
                .snapshot_id(&id)
                .attribute(SnapshotAttributeName::CreateVolumePermission)
                .send()
                .await;
        let permissions = r
            .errors
            .take("DescribeSnapshotAttribute", attr)
            .map(|a| {
                a.create_volume_permissions()
                    .iter()
                    .filter_map(|p| grantee(p.user_id(), p.group()))
                    .collect()
            })
            .unwrap_or_default();
        r.inv.snapshots.push(Ec2Snapshot {
            id,
            region: r.name.to_owned(),
            volume_id: s.volume_id().map(str::to_owned),
            started: time(s.start_time()),
            create_volume_permissions: permissions,
        });
    }
}

/// The account's own AMIs, page by page, each with who may launch it.
async fn images(r: &mut Region<'_, '_>) {
    let mut token: Option<String> = None;
    loop {
        let page =
            r.c.describe_images()
                .owners("self")
                .set_next_token(token.take())
                .send()
                .await;
        let Some(page) = r.errors.take("DescribeImages", page) else {
            break;
        };
        for i in page.images() {
            let image = image(r, i).await;
            r.inv.images.push(image);
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
}

/// One AMI and its launch permissions.
async fn image(r: &mut Region<'_, '_>, i: &ec2::Image) -> Image {
    let id = i.image_id().unwrap_or_default().to_owned();
    let attr =
        r.c.describe_image_attribute()
            .image_id(&id)
            .attribute(ImageAttributeName::LaunchPermission)
            .send()
            .await;
    let permissions = r
        .errors
        .take("DescribeImageAttribute", attr)
        .map(|a| {
            a.launch_permissions()
                .iter()
                .filter_map(|p| grantee(p.user_id(), p.group()))
                .collect()
        })
        .unwrap_or_default();
    Image {
        id,
        region: r.name.to_owned(),
        name: i.name().map(str::to_owned),
        created: i.creation_date().map(str::to_owned),
        launch_permissions: permissions,
    }
}

/// Spot instance requests.
async fn spot_requests(r: &mut Region<'_, '_>) {
    let spot =
        r.c.describe_spot_instance_requests()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await;
    for s in r
        .errors
        .take("DescribeSpotInstanceRequests", spot)
        .unwrap_or_default()
    {
        r.inv.spot_requests.push(SpotRequest {
            id: s.spot_instance_request_id().unwrap_or_default().to_owned(),
            region: r.name.to_owned(),
            state: s.state().map(|x| x.as_str().to_owned()),
            instance_type: s
                .launch_specification()
                .and_then(|l| l.instance_type())
                .map(|t| t.as_str().to_owned()),
            instance_id: s.instance_id().map(str::to_owned),
            created: time(s.create_time()),
        });
    }
}
