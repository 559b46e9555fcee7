//! Prints the containment plan for a findings JSON file: `plan FINDINGS.json [--json]`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: plan FINDINGS.json [--json]")?;
    let findings: cloudcase_contain::Findings =
        serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let plan = cloudcase_contain::build_plan(&findings)?;
    if args.next().as_deref() == Some("--json") {
        println!("{}", serde_json::to_string_pretty(&plan)?);
    } else {
        print!("{}", cloudcase_contain::shell_script(&plan));
    }
    Ok(())
}
