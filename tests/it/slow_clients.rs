//! Clients that would hold the server: bodies sent a byte at a time, and one address opening
//! more connections than any reader needs. The binary as an operator runs it, over loopback.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::common::raw_http;
use crate::process::spawn;

fn addr(base: &str) -> SocketAddr {
    base.trim_start_matches("http://").parse().expect("address")
}

/// A vote whose body trickles in: headers, then one byte.
fn trickling(base: &str, path: &str, chunked: bool) -> TcpStream {
    let mut stream = TcpStream::connect(addr(base)).expect("connect");
    let framing = if chunked {
        "Transfer-Encoding: chunked"
    } else {
        "Content-Length: 200"
    };
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n{framing}\r\n\r\n"
    )
    .expect("headers");
    stream
        .write_all(if chunked { b"1\r\nh\r\n" } else { b"h" })
        .expect("a byte");
    stream
        .set_read_timeout(Some(Duration::from_millis(5)))
        .expect("timeout");
    stream
}

/// Sends one more byte and reads what came back; `None` once the server closed.
fn trickle(stream: &mut TcpStream, chunked: bool, answer: &mut Vec<u8>) -> Option<()> {
    // A write after the server closed may still succeed once; the read tells.
    let _ = stream.write_all(if chunked { b"1\r\ne\r\n" } else { b"e" });
    let mut buf = [0u8; 8192];
    match stream.read(&mut buf) {
        Ok(0) => None,
        Ok(n) => {
            answer.extend_from_slice(&buf[..n]);
            Some(())
        }
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            Some(())
        }
        Err(_) => None,
    }
}

/// Slow bodies get a 408 and their connection closed once the body timeout is over, and other
/// readers are served all the while.
#[test]
fn slow_bodies_are_cut_off_with_408_and_other_readers_are_served_meanwhile() {
    let server = spawn(&["--body-timeout", "2s"]);
    let started = Instant::now();
    // Each told in its language: a page's by its path, the API's by `?lang=`.
    let paths = [
        ("/kb/timeout/feedback", "2 秒"),
        ("/en/kb/timeout/feedback", "within 2 seconds"),
        ("/api/match", "2 秒"),
        ("/api/match?lang=en", "within 2 seconds"),
    ];
    let mut slow: Vec<(TcpStream, bool, Vec<u8>, bool)> = (0..40)
        .map(|i| {
            (
                trickling(&server.base, paths[i % 4].0, i % 3 == 1),
                i % 3 == 1,
                Vec::new(),
                false,
            )
        })
        .collect();
    let mut served_meanwhile = 0;
    while slow.iter().any(|(_, _, _, closed)| !closed) {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "slow bodies still held {:?} after they started",
            started.elapsed()
        );
        if started.elapsed() < Duration::from_millis(1_500) {
            let page = raw_http(
                &server.base,
                "GET /kb/error-19 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            );
            assert!(page.starts_with("HTTP/1.1 200"), "{page}");
            served_meanwhile += 1;
        }
        for (stream, chunked, answer, closed) in slow.iter_mut().filter(|s| !s.3) {
            if trickle(stream, *chunked, answer).is_none() {
                *closed = true;
            }
        }
    }
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2),
        "cut before the timeout: {took:?}"
    );
    assert!(served_meanwhile > 0);
    for (i, (_, chunked, answer, _)) in slow.iter().enumerate() {
        let answer = String::from_utf8_lossy(answer);
        let (path, told) = paths[i % 4];
        assert!(
            answer.starts_with("HTTP/1.1 408"),
            "{path}, chunked {chunked}: {answer}"
        );
        assert!(answer.contains(told), "{path}: {answer}");
    }
    println!("40 slow bodies cut off after {took:?}; {served_meanwhile} pages served meanwhile");
}

/// One address may hold so many connections; more are closed as they are accepted, a reader
/// at another address is still served, and a closed connection frees its place.
#[test]
fn connections_over_an_addresss_share_are_closed_and_others_still_served() {
    let server = spawn(&["--connections-per-client", "8", "--header-timeout", "60s"]);
    // Eight connections, each answered once and kept alive: all counted by the server.
    let held: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut stream = TcpStream::connect(addr(&server.base)).expect("connect");
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                .expect("write");
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).expect("an answer");
            assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
            stream
        })
        .collect();
    let mut ninth = TcpStream::connect(addr(&server.base)).expect("connect");
    ninth
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let _ = ninth.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut buf = Vec::new();
    match ninth.read_to_end(&mut buf) {
        Ok(_) => {}
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    assert!(
        buf.is_empty(),
        "the ninth connection was answered: {}",
        String::from_utf8_lossy(&buf)
    );

    // Another address on the loopback: its own share.
    let other =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    other
        .bind(&"127.0.0.2:0".parse::<SocketAddr>().expect("addr").into())
        .expect("bind 127.0.0.2");
    other
        .connect(&addr(&server.base).into())
        .expect("connect from 127.0.0.2");
    let mut other: TcpStream = other.into();
    other
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("write");
    let mut answer = String::new();
    let _ = other.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    drop(held);
    let started = Instant::now();
    loop {
        let answer = raw_http(
            &server.base,
            "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "closed connections did not free their places"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A chunked body nobody reads (a 405, a message over the size limit) is not read to its end
/// either: the answer goes out and the connection is closed, however slowly the rest comes.
#[test]
fn unread_chunked_bodies_do_not_hold_their_connection() {
    let server = spawn(&[]);
    for (path, status) in [("/nope", "405"), ("/api/match", "413")] {
        let mut stream = TcpStream::connect(addr(&server.base)).expect("connect");
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        .expect("headers");
        if path == "/api/match" {
            // Over the 512 KB a body may have: refused before it is all read.
            let chunk = "x".repeat(600_000);
            write!(stream, "{:x}\r\n{chunk}\r\n", chunk.len()).expect("a big chunk");
        }
        stream
            .set_read_timeout(Some(Duration::from_millis(5)))
            .expect("timeout");
        let started = Instant::now();
        let mut answer = Vec::new();
        while trickle(&mut stream, true, &mut answer).is_some() {
            assert!(
                started.elapsed() < Duration::from_secs(8),
                "{path}: connection still open: {}",
                String::from_utf8_lossy(&answer)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{path}: {answer}"
        );
    }
}
