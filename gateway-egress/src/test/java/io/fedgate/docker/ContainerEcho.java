package io.fedgate.docker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The echo service behind red's ingress in {@link GatewayImagesFederateIT}, run in a container with the gateway
 * image's JRE: {@code java -cp /opt/echo io.fedgate.docker.ContainerEcho 9080}. {@link
 * io.fedgate.core.probe.DigestingBackend} cannot serve there, as it listens on loopback only.
 *
 * <p>Each connection gets every byte back; when the client ends its output, the echo finishes, ends its own output
 * (a half-close, as the relay must carry it) and prints {@value #REPORT} with the byte count and the SHA-256 of what
 * arrived: the far end's view of what crossed the federation. A single class on purpose, no nested or anonymous
 * ones, so that the test copies one {@code .class} file into the container.
 */
public final class ContainerEcho {
    /** The start of each connection's report line: {@code echoed bytes=<n> sha256=<hex>}. */
    static final String REPORT = "echoed";
    /** Printed once the socket listens. */
    static final String LISTENING = "listening: echo";

    private ContainerEcho() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        try (ServerSocket server = new ServerSocket(port)) {
            log(LISTENING + " 0.0.0.0:" + port);
            while (true) {
                Socket socket = server.accept();
                // One thread per connection: the test opens a handful, and blocking I/O keeps this file small.
                new Thread(() -> echo(socket), "echo-" + socket.getPort()).start();
            }
        }
    }

    private static void echo(Socket socket) {
        try (socket) {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[64 * 1024];
            long bytes = 0;
            for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
                sha256.update(buffer, 0, read);
                out.write(buffer, 0, read);
                bytes += read;
            }
            out.flush();
            socket.shutdownOutput();
            log(REPORT + " bytes=" + bytes + " sha256=" + HexFormat.of().formatHex(sha256.digest()));
        } catch (IOException | NoSuchAlgorithmException e) {
            log("echo failed: " + e);
        }
    }

    private static synchronized void log(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
