// Generates ../masterminds-v3.5.0-constraints.tsv: go run . > ../masterminds-v3.5.0-constraints.tsv
module k8s4claw.test/msv

go 1.26.0

require github.com/Masterminds/semver/v3 v3.5.0
