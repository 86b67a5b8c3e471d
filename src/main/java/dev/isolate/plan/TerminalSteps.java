package dev.isolate.plan;

import static dev.isolate.linux.Linux.*;

import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Credentials;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Handshake;
import dev.isolate.step.ParentStep;
import dev.isolate.step.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * -t: the command's own pseudo-terminal. The child opens it from the /dev/ptmx it sees (after
 * pivot_root, the container's own devpts), makes its peer the command's stdin, stdout, stderr
 * and controlling terminal in a new session, and hands the master to the parent, which relays
 * it to isolate's own stdio.
 *
 * <p>Before the change of ids: the parent takes the master with pidfd_getfd, which needs the
 * child to be as the parent left it (ptrace access: a child whose ids changed may not be
 * reachable, and its memory is isolate's), and the peer is given to the command's user with
 * fchown, as runc does with the stdio of a container's first process.
 */
final class TerminalSteps {
    /** What the parent does at the pause that follows {@link #open}. */
    static final ParentStep.TakeDescriptor TAKE_MASTER = new ParentStep.TakeDescriptor(Handshake.End.REPORT_READ,
            "take the terminal's master from the child");

    private TerminalSteps() {
    }

    /**
     * @param credentials -S, -G and --group-add as numbers: with a uid, the peer becomes that user's
     */
    static void open(ContainerSpec spec, Optional<Credentials> credentials, List<Step> steps) {
        String ptmx = spec.rootfs().isPresent() ? "the container's /dev/ptmx" : "/dev/ptmx";
        steps.add(Step.of(Call.OPENAT, Check.SUCCESS, "open " + ptmx,
                Arg.of(AT_FDCWD), Arg.of("/dev/ptmx"), Arg.of(O_RDWR | O_NOCTTY | O_CLOEXEC))
                .savingIn(Slots.TERMINAL_MASTER));
        steps.add(Step.of(Call.IOCTL, Check.SUCCESS, "unlock the terminal",
                Arg.of(Slots.TERMINAL_MASTER), Arg.of(TIOCSPTLCK), new Arg.Bytes(intBytes(0))));
        steps.add(Step.of(Call.IOCTL, Check.SUCCESS, "open the terminal's peer",
                Arg.of(Slots.TERMINAL_MASTER), Arg.of(TIOCGPTPEER), Arg.of(O_RDWR | O_NOCTTY | O_CLOEXEC))
                .savingIn(Slots.TERMINAL_PEER));
        OptionalLong uid = credentials.map(Credentials::uid).orElse(OptionalLong.empty());
        if (uid.isPresent()) {
            // The group stays devpts' own, as with docker run -t -u.
            steps.add(Step.of(Call.FCHOWN, Check.SUCCESS, "give the terminal to uid " + uid.getAsLong(),
                    Arg.of(Slots.TERMINAL_PEER), Arg.of(uid.getAsLong()), Arg.of(0xFFFF_FFFFL)));
        }
        steps.add(Step.of(Call.SETSID, Check.SUCCESS, "start a new session"));
        steps.add(Step.of(Call.IOCTL, Check.SUCCESS, "make the terminal the controlling terminal",
                Arg.of(Slots.TERMINAL_PEER), Arg.of(TIOCSCTTY), Arg.of(0)));
        for (int fd = 0; fd <= 2; fd++) {
            steps.add(Step.of(Call.DUP3, Check.exactly(fd), "make the terminal descriptor " + fd,
                    Arg.of(Slots.TERMINAL_PEER), Arg.of(fd), Arg.of(0)));
        }
        steps.add(Step.of(Call.DUP3, Check.SUCCESS, "put the terminal's master where the parent takes it",
                Arg.of(Slots.TERMINAL_MASTER), Arg.of(TAKE_MASTER.at()), Arg.of(O_CLOEXEC)));
    }

    private static byte[] intBytes(int value) {
        return ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(value).array();
    }
}
