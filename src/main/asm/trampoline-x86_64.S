# isolate's child-side program runner and signal forwarder, x86-64 Linux.
#
# Why machine code: after clone() only the calling thread exists in the child,
# and any Java code it ran could block forever on a lock, a safepoint or a GC
# that no thread will finish. So the JVM prepares a table of system calls in
# native memory, and this routine clones and walks the table without returning
# to Java in the child.
#
# Program layout (64-bit words), built by dev.isolate.sys.ProgramImage; the
# names are the .equ's below:
#   +0  HDR_FLAGS        clone flags (exit signal included)
#   +8  HDR_STEP_COUNT   step count
#   +16 HDR_REPORT_FD    report fd (child -> parent pipe, close-on-exec)
#   +24 HDR_REPORT_WORD  report word: (step index << 32) | errno, written on failure
#   +32 HDR_STACK        the child's stack pointer (a small area at the end of the program)
#   +40 SLOTS            result slots 0..15: slot n at +40+8n (slot 0 is never used: 0 means none)
#   +168 STEPS           steps, STEP_SIZE (64) bytes each:
#       +0 bits 0-15 syscall number, bits 16-19 (SAVE_SHIFT) the slot to save the
#          result in, bits 20-43 (ARG_SLOTS_SHIFT) one 4-bit (SLOT_BITS) slot per
#          argument (first argument lowest): when not 0 the argument is that slot's
#          value, not the literal below
#       +8..+48 (STEP_ARGS) six arguments
#       +56 (STEP_CHECK) check: -1 fail on error (CHECK_SUCCESS),
#                  -2 ignore the result (CHECK_IGNORE), -3 exec candidate (CHECK_EXEC_CANDIDATE),
#                  -4 fail on error other than EEXIST (CHECK_SUCCESS_OR_EXISTS),
#                  -5 a clone (CHECK_CLONED): fail on error; the new process goes on,
#                     the one that cloned reports (1 << 62) | the new pid and leaves,
#                  -6 an exec probe (CHECK_EXEC_PROBE): success goes on to the next
#                     step, which runs what was found; an error skips that step and
#                     is judged as an exec candidate's,
#                  n >= 0 fail unless the result is exactly n
#
# Slots carry what only exists in the child, such as a descriptor it opened,
# to later steps.
#
# "exec candidate" is execvp's PATH walk: ENOENT/ENOTDIR/EACCES are remembered
# (EACCES wins, as in execvp) and the walk goes on; running out of steps
# reports what was remembered. "exec probe" walks the same way for a command
# that another program (an init) will execute: each probe is followed by the
# step that executes that program for the path probed.
#
# Rebuild the Java copy of the bytes with scripts/assemble-trampoline; a unit
# test checks that the bytes match this file whenever GNU as is installed, and
# another (TrampolineConstantsTest) that every .equ below agrees with the Java
# side or is known to be the routine's alone.

        .intel_syntax noprefix
        .text
        .globl run_program
        .globl forward_signal
        .globl notify_signal
        .globl signal_restorer

        # System calls (dev.isolate.sys.Syscall), errno values (dev.isolate.linux.Linux).
        .equ SYS_write, 1
        .equ SYS_kill, 62
        .equ SYS_clone, 56
        .equ SYS_rt_sigreturn, 15
        .equ SYS_exit_group, 231
        .equ ENOENT, 2
        .equ EACCES, 13
        .equ ENOTDIR, 20
        .equ EEXIST, 17
        .equ MAX_ERRNO, 4095            # results in [-MAX_ERRNO, -1] are errors

        # The program's header (ProgramImage.Layout writes it in this order).
        .equ HDR_FLAGS, 0
        .equ HDR_STEP_COUNT, 8
        .equ HDR_REPORT_FD, 16
        .equ HDR_REPORT_WORD, 24
        .equ HDR_STACK, 32
        .equ SLOTS, 40                  # ProgramImage.SLOTS
        .equ STEPS, 168                 # ProgramImage.STEPS: SLOTS + 8 * (Slot.COUNT + 1)

        # A step (ProgramImage.STEP bytes) and its syscall word.
        .equ STEP_ARGS, 8
        .equ STEP_CHECK, 56
        .equ STEP_SIZE, 64
        .equ SAVE_SHIFT, 16             # ProgramImage.SAVE_SHIFT: the number below it is read as a word
        .equ ARG_SLOTS_SHIFT, 20        # ProgramImage.ARG_SLOTS_SHIFT
        .equ SLOT_BITS, 4               # ProgramImage.ARG_SLOT_BITS: bits per slot reference
        .equ SLOT_MASK, 15              # Slot.COUNT: the highest slot
        .if SAVE_SHIFT % 8
        .error "the save slot is read as a byte: SAVE_SHIFT must be a multiple of 8"
        .endif

        # Checks (dev.isolate.step.Check); n >= 0 means "exactly n".
        .equ CHECK_SUCCESS, -1
        .equ CHECK_IGNORE, -2
        .equ CHECK_EXEC_CANDIDATE, -3
        .equ CHECK_SUCCESS_OR_EXISTS, -4
        .equ CHECK_CLONED, -5
        .equ CHECK_EXEC_PROBE, -6

        # Reports and exit (LaunchPlan, ExitStatus).
        .equ FAILED_STEP_SHIFT, 32      # failure word: (step index << 32) | errno
        .equ NEW_PROCESS_BIT, 62        # LaunchPlan.NEW_PROCESS = 1 << 62
        .equ SETUP_FAILED, 125          # ExitStatus.SETUP_FAILED

        # The signal forwarder (Trampoline): its target pid in the page after the code.
        .equ SI_KERNEL, 0x80            # si_code of a signal the kernel (the terminal) sent
        .equ PAGE_SIZE, 4096            # Trampoline.PAGE_SIZE
        .equ TARGET_PID, 0              # Trampoline.TARGET_PID: offset in the data page
        .equ NOTIFY_FD, 4               # Trampoline.NOTIFY_FD: the notifier's pipe, in the data page

# long run_program(long *program): parent gets the child's pid or -errno.
run_program:
        push    rbx                     # the one callee-saved register the parent uses
        mov     rbx, rdi                # rbx = program base for the whole run
        mov     rdi, [rbx+HDR_FLAGS]    # clone(flags (CLONE_VM: the child shares our memory, so
                                        #   no page tables are copied; it only runs this code),
        mov     rsi, [rbx+HDR_STACK]    #   its own stack, never the Java thread's,
        xor     edx, edx                #   no parent tid,
        xor     r10d, r10d              #   no child tid,
        xor     r8d, r8d                #   no tls)
        mov     eax, SYS_clone
        syscall
        test    rax, rax
        jz      child                   # 0 in the child
        pop     rbx                     # parent: pid or -errno back to Java
        ret

child:
        lea     r13, [rbx+STEPS]        # r13 = current step
        xor     r14d, r14d              # r14 = step index
        cmp     r14, [rbx+HDR_STEP_COUNT]
        jae     report                  # no steps at all
next_step:
        mov     rcx, [r13]              # the syscall word
        shr     rcx, ARG_SLOTS_SHIFT    # argument slots, SLOT_BITS each
        lea     rdx, [r13+STEP_ARGS]    # the first argument
resolve_arg:
        mov     eax, ecx
        and     eax, SLOT_MASK
        jz      1f                      # a literal
        mov     rax, [rbx+SLOTS+rax*8]  # a slot: overwrite the literal with its value
        mov     [rdx], rax
1:      add     rdx, 8
        shr     rcx, SLOT_BITS
        jnz     resolve_arg             # until no slot references are left
        movzx   eax, word ptr [r13]     # syscall number: the word below SAVE_SHIFT
        mov     rdi, [r13+STEP_ARGS]    # args 1..6 in the kernel's registers
        mov     rsi, [r13+STEP_ARGS+8]
        mov     rdx, [r13+STEP_ARGS+16]
        mov     r10, [r13+STEP_ARGS+24]
        mov     r8, [r13+STEP_ARGS+32]
        mov     r9, [r13+STEP_ARGS+40]
        syscall
        movzx   ecx, byte ptr [r13+SAVE_SHIFT/8]
        and     ecx, SLOT_MASK          # the slot to save the result in
        jz      1f
        mov     [rbx+SLOTS+rcx*8], rax
1:      mov     rcx, [r13+STEP_CHECK]   # the step's check
        cmp     rcx, CHECK_IGNORE
        je      step_done               # ignore the result
        cmp     rcx, CHECK_SUCCESS
        je      check_error
        cmp     rcx, CHECK_EXEC_CANDIDATE
        je      exec_candidate
        cmp     rcx, CHECK_SUCCESS_OR_EXISTS
        je      check_exists
        cmp     rcx, CHECK_CLONED
        je      cloned
        cmp     rcx, CHECK_EXEC_PROBE
        je      exec_probe
        cmp     rax, rcx                # exactly n
        je      step_done
        jmp     fail
cloned:
        cmp     rax, -MAX_ERRNO
        jae     fail                    # clone failed
        test    rax, rax
        jz      step_done               # the new process takes over the program
        bts     rax, NEW_PROCESS_BIT    # tell isolate which process that is
        mov     [rbx+HDR_REPORT_WORD], rax
        jmp     report
check_exists:
        cmp     rax, -EEXIST
        je      step_done               # already there: what the step wanted
check_error:
        cmp     rax, -MAX_ERRNO         # [-4095, -1] as unsigned is the error range
        jb      step_done
        jmp     fail
exec_probe:
        cmp     rax, -MAX_ERRNO
        jb      step_done               # there: the next step executes it
        call    judge_exec              # not there: judged as an exec candidate's error,
        add     r13, STEP_SIZE          #   reported as this step's, and the step that
        inc     r14                     #   would execute it is skipped
        jmp     step_done
exec_candidate:
        call    judge_exec
step_done:
        add     r13, STEP_SIZE
        inc     r14
        cmp     r14, [rbx+HDR_STEP_COUNT]
        jb      next_step
        jmp     report                  # out of steps: only exec candidates and probes get here
fail:
        call    encode
report:
        mov     eax, SYS_write          # write(report fd, &report word, 8)
        mov     rdi, [rbx+HDR_REPORT_FD]
        lea     rsi, [rbx+HDR_REPORT_WORD]
        mov     edx, 8
        syscall
        mov     eax, SYS_exit_group     # exit_group(125): nothing else runs in the child
        mov     edi, SETUP_FAILED
        syscall
        hlt                             # not reached

# An exec candidate's or probe's result in rax: nothing for success; ENOENT,
# ENOTDIR and EACCES are remembered (EACCES wins); any other error fails the
# launch (never returning: the child exits, so the return address left on the
# stack does not matter).
judge_exec:
        cmp     rax, -MAX_ERRNO
        jb      1f
        cmp     rax, -EACCES
        je      encode                  # encode returns to judge_exec's caller
        cmp     rax, -ENOENT
        je      2f
        cmp     rax, -ENOTDIR
        jne     fail
2:      cmp     dword ptr [rbx+HDR_REPORT_WORD], EACCES # the errno remembered so far
        jne     encode
1:      ret

# report word = (r14 << 32) | errno, errno taken from the result in rax
# (0 when the result was a non-error value other than the expected one).
encode:
        xor     edx, edx
        neg     rax                     # -result: errno for an error result
        cmovs   rax, rdx                # was a plain value: errno 0
        mov     rdx, r14
        shl     rdx, FAILED_STEP_SHIFT
        or      rax, rdx
        mov     [rbx+HDR_REPORT_WORD], rax
        ret

# void forward_signal(int sig, siginfo_t *info, void *context): SA_SIGINFO handler
# installed in the parent. It reads the target pid from the first word of the
# page after this code (0 = nobody to forward to) and sends it the signal.
forward_signal:
        cmp     dword ptr [rsi+8], SI_KERNEL # info->si_code
        je      1f                      # sent by the terminal to our whole process group,
                                        # which includes the command: it has it already
        mov     esi, edi                # kill(target, sig)
        mov     edi, dword ptr [rip + target_pid]
        test    edi, edi
        jle     1f                      # no target (yet, or any more)
        mov     eax, SYS_kill
        syscall
1:      ret

# void notify_signal(int sig, siginfo_t *info, void *context): SA_SIGINFO handler
# installed in the parent for signals that a loop of isolate's polls for (the
# self-pipe trick: Java cannot run in a signal handler here). It writes the
# signal's number as one byte to the descriptor in the data page (a pipe whose
# write end is non-blocking: when it is full, a wake-up is pending anyway).
notify_signal:
        push    rdi                     # the number: its low byte first in memory
        mov     eax, SYS_write          # write(notify fd, &number, 1)
        mov     edi, dword ptr [rip + notify_fd]
        mov     rsi, rsp
        mov     edx, 1
        syscall                         # no fd (-1) or a full pipe: nothing to do
        pop     rdi
        ret

# sa_restorer for the handlers above: return from the signal frame.
signal_restorer:
        mov     eax, SYS_rt_sigreturn
        syscall
        hlt

        .equ    target_pid, run_program + PAGE_SIZE + TARGET_PID
        .equ    notify_fd, run_program + PAGE_SIZE + NOTIFY_FD
