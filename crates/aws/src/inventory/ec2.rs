//! EC2 in every region: instances, security groups, key pairs, volumes,
//! snapshots and AMIs with who may use them, spot requests.

use aws_sdk_ec2::types::{ImageAttributeName, SnapshotAttributeName};
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

async fn collect_region(
    c: &aws_sdk_ec2::Client,
    region: &str,
    errors: &mut Errors<'_>,
    inv: &mut Ec2Inventory,
) {
    let owned = || region.to_owned();
    let reservations = c
        .describe_instances()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    for r in errors
        .take("DescribeInstances", reservations)
        .unwrap_or_default()
    {
        for i in r.instances() {
            inv.instances.push(Instance {
                id: i.instance_id().unwrap_or_default().to_owned(),
                region: owned(),
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
            });
        }
    }
    let groups = c
        .describe_security_groups()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    for g in errors
        .take("DescribeSecurityGroups", groups)
        .unwrap_or_default()
    {
        inv.security_groups.push(SecurityGroup {
            id: g.group_id().unwrap_or_default().to_owned(),
            region: owned(),
            name: g.group_name().map(str::to_owned),
            vpc_id: g.vpc_id().map(str::to_owned),
            ingress: g
                .ip_permissions()
                .iter()
                .map(|p| IngressRule {
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
                })
                .collect(),
        });
    }
    if let Some(keys) = errors.take("DescribeKeyPairs", c.describe_key_pairs().send().await) {
        for k in keys.key_pairs() {
            inv.key_pairs.push(KeyPair {
                name: k.key_name().unwrap_or_default().to_owned(),
                id: k.key_pair_id().map(str::to_owned),
                region: owned(),
                created: time(k.create_time()),
            });
        }
    }
    let volumes = c
        .describe_volumes()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    for v in errors.take("DescribeVolumes", volumes).unwrap_or_default() {
        inv.volumes.push(Volume {
            id: v.volume_id().unwrap_or_default().to_owned(),
            region: owned(),
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
    let snapshots = c
        .describe_snapshots()
        .owner_ids("self")
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    for s in errors
        .take("DescribeSnapshots", snapshots)
        .unwrap_or_default()
    {
        let id = s.snapshot_id().unwrap_or_default().to_owned();
        let attr = c
            .describe_snapshot_attribute()
            .snapshot_id(&id)
            .attribute(SnapshotAttributeName::CreateVolumePermission)
            .send()
            .await;
        let permissions = errors
            .take("DescribeSnapshotAttribute", attr)
            .map(|a| {
                a.create_volume_permissions()
                    .iter()
                    .filter_map(|p| {
                        p.user_id()
                            .or(p.group().map(|g| g.as_str()))
                            .map(str::to_owned)
                    })
                    .collect()
            })
            .unwrap_or_default();
        inv.snapshots.push(Ec2Snapshot {
            id,
            region: owned(),
            volume_id: s.volume_id().map(str::to_owned),
            started: time(s.start_time()),
            create_volume_permissions: permissions,
        });
    }
    let mut token: Option<String> = None;
    loop {
        let page = c
            .describe_images()
            .owners("self")
            .set_next_token(token.take())
            .send()
            .await;
        let Some(page) = errors.take("DescribeImages", page) else {
            break;
        };
        for i in page.images() {
            let id = i.image_id().unwrap_or_default().to_owned();
            let attr = c
                .describe_image_attribute()
                .image_id(&id)
                .attribute(ImageAttributeName::LaunchPermission)
                .send()
                .await;
            let permissions = errors
                .take("DescribeImageAttribute", attr)
                .map(|a| {
                    a.launch_permissions()
                        .iter()
                        .filter_map(|p| {
                            p.user_id()
                                .or(p.group().map(|g| g.as_str()))
                                .map(str::to_owned)
                        })
                        .collect()
                })
                .unwrap_or_default();
            inv.images.push(Image {
                id,
                region: owned(),
                name: i.name().map(str::to_owned),
                created: i.creation_date().map(str::to_owned),
                launch_permissions: permissions,
            });
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let spot = c
        .describe_spot_instance_requests()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    for s in errors
        .take("DescribeSpotInstanceRequests", spot)
        .unwrap_or_default()
    {
        inv.spot_requests.push(SpotRequest {
            id: s.spot_instance_request_id().unwrap_or_default().to_owned(),
            region: owned(),
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
