//! Parsing of macOS `sysctl(KERN_PROCARGS2)` output: argc (i32), the exec path, NUL padding, then
//! argc NUL-terminated arguments (the environment follows and is ignored).

pub fn parse_procargs2(buf: &[u8]) -> Option<Vec<String>> {
  let argc = i32::from_ne_bytes(buf.get(..4)?.try_into().ok()?);
  if !(1..=65_536).contains(&argc) {
    return None;
  }
  let rest = &buf[4..];
  let path_end = rest.iter().position(|&b| b == 0)?;
  let mut at = path_end;
  while rest.get(at) == Some(&0) {
    at += 1;
  }
  let mut args = Vec::with_capacity(argc as usize);
  for arg in rest[at..].split(|&b| b == 0).take(argc as usize) {
    args.push(String::from_utf8_lossy(arg).into_owned());
  }
  (args.len() == argc as usize).then_some(args)
}

#[cfg(test)]
mod tests {
  use super::*;

  fn encode(argc: i32, body: &[u8]) -> Vec<u8> {
    let mut buf = argc.to_ne_bytes().to_vec();
    buf.extend_from_slice(body);
    buf
  }

  #[test]
  fn parses_args_after_padded_exec_path() {
    let buf = encode(3, b"/bin/ls\0\0\0\0ls\0-l\0a b\0HOME=/x\0");
    assert_eq!(
      parse_procargs2(&buf),
      Some(vec!["ls".into(), "-l".into(), "a b".into()])
    );
  }

  #[test]
  fn rejects_garbage() {
    assert_eq!(parse_procargs2(&[]), None);
    assert_eq!(parse_procargs2(&encode(0, b"/bin/ls\0")), None);
    assert_eq!(parse_procargs2(&encode(5, b"/bin/ls\0ls\0")), None);
    assert_eq!(parse_procargs2(&encode(1, b"no-nul")), None);
  }
}
