package com.silknote.sync.testkit.fault;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/** A content stream that resets or ends early after a number of bytes. */
final class FaultyStream extends FilterInputStream {
    private final Fault fault;
    private long served;

    FaultyStream(InputStream in, Fault fault) {
        super(in);
        this.fault = fault;
    }

    private int allowed(int wanted) throws IOException {
        long left = fault.afterBytes() - served;
        if (left <= 0) {
            if (fault.kind() == Fault.Kind.CONNECTION_RESET) {
                throw new SocketException("Connection reset (simulated)");
            }
            if (fault.kind() == Fault.Kind.READ_TIMEOUT) {
                throw new SocketTimeoutException("Read timed out (simulated)");
            }
            return -1;
        }
        return (int) Math.min(wanted, left);
    }

    @Override
    public int read() throws IOException {
        if (allowed(1) < 0) {
            return -1;
        }
        int b = super.read();
        if (b >= 0) {
            served++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n = allowed(len);
        if (n < 0) {
            return -1;
        }
        int got = super.read(b, off, n);
        if (got > 0) {
            served += got;
        }
        return got;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(8192, Math.max(n, 1))];
        long skipped = 0;
        while (skipped < n) {
            int got = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (got < 0) {
                break;
            }
            skipped += got;
        }
        return skipped;
    }

    @Override
    public int available() throws IOException {
        long left = fault.afterBytes() - served;
        return (int) Math.max(0, Math.min(left, super.available()));
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
