#!/usr/bin/env python3
"""Regenerates ec2-ondemand-linux.csv, the built-in fallback price table.

This is NOT a price source: it records how the shipped approximation was made, so that a reviewer can
see and correct it. us-east-1 hourly prices are AWS on-demand Linux list prices as remembered (mid-2025,
after the June 2025 P4d/P5 reductions); every other region is the us-east-1 price times a per-family
regional ratio taken from a known anchor price in that region (m5.large, c5.large, r5.large, t3.micro,
t2.micro, p3.2xlarge, p2.xlarge, g4dn.xlarge). Real prices come from the updater:
    cloudcase-pricing-update index.json... > ec2-ondemand-linux.csv
Usage: python3 derive-builtin.py > ec2-ondemand-linux.csv
"""

REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
           "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1",
           "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
           "ap-south-1", "ap-east-1", "me-south-1", "af-south-1"]

# Anchor prices per region (USD/hour); the ratio to us-east-1 scales the family group.
ANCHORS = {
    "general": {"us-east-1": .096, "us-east-2": .096, "us-west-1": .112, "us-west-2": .096,
                "ca-central-1": .107, "sa-east-1": .153, "eu-west-1": .107, "eu-west-2": .111,
                "eu-west-3": .112, "eu-central-1": .115, "eu-north-1": .102, "eu-south-1": .112,
                "ap-northeast-1": .124, "ap-northeast-2": .118, "ap-northeast-3": .124,
                "ap-southeast-1": .12, "ap-southeast-2": .12, "ap-south-1": .101, "ap-east-1": .132,
                "me-south-1": .118, "af-south-1": .127},
    "compute": {"us-east-1": .085, "us-east-2": .085, "us-west-1": .106, "us-west-2": .085,
                "ca-central-1": .093, "sa-east-1": .131, "eu-west-1": .096, "eu-west-2": .101,
                "eu-west-3": .101, "eu-central-1": .097, "eu-north-1": .091, "eu-south-1": .101,
                "ap-northeast-1": .107, "ap-northeast-2": .096, "ap-northeast-3": .107,
                "ap-southeast-1": .098, "ap-southeast-2": .111, "ap-south-1": .085, "ap-east-1": .117,
                "me-south-1": .104, "af-south-1": .114},
    "memory": {"us-east-1": .126, "us-east-2": .126, "us-west-1": .14, "us-west-2": .126,
               "ca-central-1": .138, "sa-east-1": .201, "eu-west-1": .141, "eu-west-2": .148,
               "eu-west-3": .148, "eu-central-1": .152, "eu-north-1": .134, "eu-south-1": .148,
               "ap-northeast-1": .152, "ap-northeast-2": .152, "ap-northeast-3": .152,
               "ap-southeast-1": .152, "ap-southeast-2": .151, "ap-south-1": .127, "ap-east-1": .167,
               "me-south-1": .155, "af-south-1": .166},
    "t3": {"us-east-1": .0104, "us-east-2": .0104, "us-west-1": .0124, "us-west-2": .0104,
           "ca-central-1": .0116, "sa-east-1": .0168, "eu-west-1": .0114, "eu-west-2": .0118,
           "eu-west-3": .0118, "eu-central-1": .012, "eu-north-1": .0108, "eu-south-1": .0122,
           "ap-northeast-1": .0136, "ap-northeast-2": .013, "ap-northeast-3": .0136,
           "ap-southeast-1": .0132, "ap-southeast-2": .0132, "ap-south-1": .0112, "ap-east-1": .0144,
           "me-south-1": .0128, "af-south-1": .0136},
    "t2": {"us-east-1": .0116, "us-east-2": .0116, "us-west-1": .0138, "us-west-2": .0116,
           "ca-central-1": .0128, "sa-east-1": .0186, "eu-west-1": .0126, "eu-west-2": .0132,
           "eu-west-3": .0132, "eu-central-1": .0134, "ap-northeast-1": .0152,
           "ap-northeast-2": .0144, "ap-southeast-1": .0146, "ap-southeast-2": .0146,
           "ap-south-1": .0124},
    "gpu_g": {"us-east-1": .526, "us-east-2": .526, "us-west-1": .631, "us-west-2": .526,
              "ca-central-1": .584, "sa-east-1": .894, "eu-west-1": .587, "eu-west-2": .615,
              "eu-west-3": .615, "eu-central-1": .658, "eu-north-1": .558, "eu-south-1": .617,
              "ap-northeast-1": .71, "ap-northeast-2": .647, "ap-northeast-3": .71,
              "ap-southeast-1": .736, "ap-southeast-2": .684, "ap-south-1": .579, "ap-east-1": .789,
              "me-south-1": .705, "af-south-1": .698},
    "gpu_p3": {"us-east-1": 3.06, "us-east-2": 3.06, "us-west-2": 3.06, "ca-central-1": 3.366,
               "eu-west-1": 3.305, "eu-west-2": 3.589, "eu-central-1": 3.823,
               "ap-northeast-1": 4.194, "ap-northeast-2": 4.234, "ap-southeast-1": 4.234,
               "ap-southeast-2": 4.234},
    "gpu_p2": {"us-east-1": .9, "us-east-2": .9, "us-west-2": .9, "eu-west-1": .972,
               "eu-central-1": 1.326, "ap-northeast-1": 1.542, "ap-northeast-2": 1.43,
               "ap-southeast-1": 1.62, "ap-southeast-2": 1.542, "ap-south-1": 1.718},
}

ALL = REGIONS
MAJOR = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1", "eu-west-1",
         "eu-west-2", "eu-central-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1",
         "ap-southeast-2", "ap-south-1"]
NO_T2 = [r for r in REGIONS if r in ANCHORS["t2"]]

# (family, us-east-1 prices by size, ratio group, regions offered)
FAMILIES = [
    ("p2", {"xlarge": .9, "8xlarge": 7.2, "16xlarge": 14.4}, "gpu_p2", list(ANCHORS["gpu_p2"])),
    ("p3", {"2xlarge": 3.06, "8xlarge": 12.24, "16xlarge": 24.48}, "gpu_p3", list(ANCHORS["gpu_p3"])),
    ("p3dn", {"24xlarge": 31.212}, "gpu_p3", ["us-east-1", "us-west-2", "ap-northeast-1"]),
    ("p4d", {"24xlarge": 21.9576}, "gpu_p3", ["us-east-1", "us-east-2", "us-west-2", "eu-west-1",
                                            "eu-central-1", "ap-northeast-1", "ap-northeast-2"]),
    ("p5", {"48xlarge": 55.04}, "gpu_g", ["us-east-1", "us-east-2", "us-west-2", "eu-north-1",
                                          "ap-northeast-1", "ap-south-1", "ap-southeast-2"]),
    ("g3", {"4xlarge": 1.14, "8xlarge": 2.28, "16xlarge": 4.56}, "gpu_g", MAJOR),
    ("g3s", {"xlarge": .75}, "gpu_g", MAJOR),
    ("g4dn", {"xlarge": .526, "2xlarge": .752, "4xlarge": 1.204, "8xlarge": 2.176, "12xlarge": 3.912,
              "16xlarge": 4.352, "metal": 7.824}, "gpu_g", ALL),
    ("g5", {"xlarge": 1.006, "2xlarge": 1.212, "4xlarge": 1.624, "8xlarge": 2.448, "12xlarge": 5.672,
            "16xlarge": 4.096, "24xlarge": 8.144, "48xlarge": 16.288}, "gpu_g",
     ["us-east-1", "us-east-2", "us-west-2", "ca-central-1", "sa-east-1", "eu-west-1", "eu-west-2",
      "eu-central-1", "eu-north-1", "ap-northeast-1", "ap-northeast-2", "ap-south-1",
      "ap-southeast-2", "me-south-1"]),
    ("g6", {"xlarge": .8048, "2xlarge": .9776, "4xlarge": 1.3232, "8xlarge": 2.0144,
            "12xlarge": 4.6016, "16xlarge": 3.3968, "24xlarge": 6.6752, "48xlarge": 13.3504}, "gpu_g",
     ["us-east-1", "us-east-2", "us-west-2", "ca-central-1", "sa-east-1", "eu-west-2",
      "eu-central-1", "eu-north-1", "eu-south-1", "ap-northeast-1", "ap-south-1"]),
    ("inf1", {"xlarge": .228, "2xlarge": .362, "6xlarge": 1.18, "24xlarge": 4.721}, "gpu_g",
     [r for r in ALL if r not in ("af-south-1",)]),
    ("inf2", {"xlarge": .7582, "8xlarge": 1.9679, "24xlarge": 6.4906, "48xlarge": 12.9813}, "gpu_g",
     ["us-east-1", "us-east-2", "us-west-2", "sa-east-1", "eu-west-1", "eu-west-2", "eu-west-3",
      "eu-central-1", "eu-north-1", "ap-northeast-1", "ap-south-1", "ap-southeast-1",
      "ap-southeast-2"]),
    ("c5", {"large": .085, "xlarge": .17, "2xlarge": .34, "4xlarge": .68, "9xlarge": 1.53,
            "12xlarge": 2.04, "18xlarge": 3.06, "24xlarge": 4.08, "metal": 4.08}, "compute", ALL),
    ("c6i", {"large": .085, "xlarge": .17, "2xlarge": .34, "4xlarge": .68, "8xlarge": 1.36,
             "12xlarge": 2.04, "16xlarge": 2.72, "24xlarge": 4.08, "32xlarge": 5.44, "metal": 5.44},
     "compute", ALL),
    ("c7i", {"4xlarge": .714, "8xlarge": 1.428, "12xlarge": 2.142, "16xlarge": 2.856,
             "24xlarge": 4.284, "48xlarge": 8.568, "metal-24xl": 4.284, "metal-48xl": 8.568},
     "compute", [r for r in ALL if r not in ("ap-east-1", "me-south-1", "af-south-1", "ap-northeast-3")]),
    ("m5", {"large": .096, "xlarge": .192, "2xlarge": .384, "4xlarge": .768, "8xlarge": 1.536,
            "12xlarge": 2.304, "16xlarge": 3.072, "24xlarge": 4.608, "metal": 4.608}, "general", ALL),
    ("m6i", {"large": .096, "xlarge": .192, "2xlarge": .384, "4xlarge": .768, "8xlarge": 1.536,
             "12xlarge": 2.304, "16xlarge": 3.072, "24xlarge": 4.608, "32xlarge": 6.144,
             "metal": 6.144}, "general", ALL),
    ("r5", {"large": .126, "xlarge": .252, "2xlarge": .504, "4xlarge": 1.008, "8xlarge": 2.016,
            "12xlarge": 3.024, "16xlarge": 4.032, "24xlarge": 6.048, "metal": 6.048}, "memory", ALL),
    ("t2", {"micro": .0116, "small": .023, "medium": .0464, "large": .0928, "xlarge": .1856,
            "2xlarge": .3712}, "t2", NO_T2),
    ("t3", {"micro": .0104, "small": .0208, "medium": .0416, "large": .0832, "xlarge": .1664,
            "2xlarge": .3328}, "t3", ALL),
    ("x1", {"16xlarge": 6.669, "32xlarge": 13.338}, "memory", MAJOR),
    ("x1e", {"32xlarge": 26.688}, "memory", ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
                                              "ap-northeast-1", "ap-southeast-2"]),
    ("x2idn", {"16xlarge": 6.669, "24xlarge": 10.0035, "32xlarge": 13.338, "metal": 13.338}, "memory", MAJOR),
    ("x2iedn", {"16xlarge": 13.338, "24xlarge": 20.007, "32xlarge": 26.676, "metal": 26.676}, "memory", MAJOR),
]

def ratio(group, region):
    anchors = ANCHORS[group]
    if region in anchors:
        return anchors[region] / anchors["us-east-1"]
    g = ANCHORS["gpu_g"]  # GPU families with no anchor of their own in this region
    return g[region] / g["us-east-1"]

print("# On-demand Linux EC2 prices, USD per hour (shared tenancy, no pre-installed software).")
print("# APPROXIMATE list prices, remembered as of mid-2025 (us-east-1) and derived for other regions")
print("# from per-family regional ratios (see derive-builtin.py). Not fetched from AWS. Refresh with")
print("#   cloudcase-pricing-update <AWS EC2 offer index.json>... > ec2-ondemand-linux.csv")
print("region,instance_type,usd_per_hour")
for region in REGIONS:
    for family, sizes, group, regions in FAMILIES:
        if region not in regions:
            continue
        for size, price in sizes.items():
            p = price * ratio(group, region)
            print(f"{region},{family}.{size},{round(p, 4):g}")
