# isolate's child-side program runner and signal forwarder, x86-64 Linux.
#
# Why machine code: after clone() only the calling thread exists in the child,
# and any Java code it ran could block forever on a lock, a safepoint or a GC
# that no thread will finish. So the JVM prepares a table of system calls in
# native memory, and this routine clones and walks the table without returning
# to Java in the child.
#
# Program layout (64-bit words), built by dev.isolate.sys.ProgramImage:
#   +0  clone flags (exit signal included)
#   +8  step count
#   +16 report fd (child -> parent pipe, close-on-exec)
#   +24 report word: (step index << 32) | errno, written on failure
#   +32 the child's stack pointer (a small area at the end of the program)
#   +40 result slots 0..15: slot n at +40+8n (slot 0 is never used: 0 means none)
#   +168 steps, 64 bytes each:
#       +0 bits 0-15 syscall number, bits 16-19 the slot to save the result in,
#          bits 20-43 one 4-bit slot per argument (first argument lowest): when
#          not 0 the argument is that slot's value, not the literal below
#       +8..+48 six arguments
#       +56 check: -1 fail on error, -2 ignore the result, -3 exec candidate,
#                  -4 fail on error other than EEXIST,
#                  -5 a clone: fail on error; the new process goes on, the one
#                     that cloned reports (1 << 62) | the new pid and leaves,
#                  n >= 0 fail unless the result is exactly n
#
# Slots carry what only exists in the child, such as a descriptor it opened,
# to later steps.
#
# "exec candidate" is execvp's PATH walk: ENOENT/ENOTDIR/EACCES are remembered
# (EACCES wins, as in execvp) and the walk goes on; running out of steps
# reports what was remembered.
#
# Rebuild the Java copy of the bytes with scripts/assemble-trampoline; a unit
# test checks that the bytes match this file whenever GNU as is installed.

        .intel_syntax noprefix
        .text
        .globl run_program
        .globl forward_signal
        .globl signal_restorer

        .equ SYS_write, 1
        .equ SYS_kill, 62
        .equ SYS_clone, 56
        .equ SYS_rt_sigreturn, 15
        .equ SYS_exit_group, 231
        .equ ENOENT, 2
        .equ EACCES, 13
        .equ ENOTDIR, 20
        .equ EEXIST, 17
        .equ NEW_PROCESS_BIT, 62
        .equ SLOTS, 40
        .equ STEPS, 168
        .equ SI_KERNEL, 0x80
        .equ FAILED_SETUP, 125

# long run_program(long *program): parent gets the child's pid or -errno.
run_program:
        push    rbx                     # the one callee-saved register the parent uses
        mov     rbx, rdi                # rbx = program base for the whole run
        mov     rdi, [rbx]              # clone(flags (CLONE_VM: the child shares our memory, so
                                        #   no page tables are copied; it only runs this code),
        mov     rsi, [rbx+32]           #   its own stack, never the Java thread's,
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
        cmp     r14, [rbx+8]
        jae     report                  # no steps at all
next_step:
        mov     rcx, [r13]
        shr     rcx, 20                 # argument slots, 4 bits each
        lea     rdx, [r13+8]            # the first argument
resolve_arg:
        mov     eax, ecx
        and     eax, 15
        jz      1f                      # a literal
        mov     rax, [rbx+SLOTS+rax*8]  # a slot: overwrite the literal with its value
        mov     [rdx], rax
1:      add     rdx, 8
        shr     rcx, 4
        jnz     resolve_arg             # until no slot references are left
        movzx   eax, word ptr [r13]     # syscall number
        mov     rdi, [r13+8]            # args 1..6 in the kernel's registers
        mov     rsi, [r13+16]
        mov     rdx, [r13+24]
        mov     r10, [r13+32]
        mov     r8, [r13+40]
        mov     r9, [r13+48]
        syscall
        movzx   ecx, byte ptr [r13+2]
        and     ecx, 15                 # the slot to save the result in
        jz      1f
        mov     [rbx+SLOTS+rcx*8], rax
1:      mov     rcx, [r13+56]           # the step's check
        cmp     rcx, -2
        je      step_done               # ignore the result
        cmp     rcx, -1
        je      check_error
        cmp     rcx, -3
        je      exec_candidate
        cmp     rcx, -4
        je      check_exists
        cmp     rcx, -5
        je      cloned
        cmp     rax, rcx                # exactly n
        je      step_done
        jmp     fail
cloned:
        cmp     rax, -4095
        jae     fail                    # clone failed
        test    rax, rax
        jz      step_done               # the new process takes over the program
        bts     rax, NEW_PROCESS_BIT    # tell isolate which process that is
        mov     [rbx+24], rax
        jmp     report
check_exists:
        cmp     rax, -EEXIST
        je      step_done               # already there: what the step wanted
check_error:
        cmp     rax, -4095              # [-4095, -1] as unsigned is the error range
        jb      step_done
        jmp     fail
exec_candidate:
        cmp     rax, -4095
        jb      step_done
        cmp     rax, -EACCES
        je      remember
        cmp     rax, -ENOENT
        je      remember_unless_eacces
        cmp     rax, -ENOTDIR
        jne     fail                    # any other error ends the walk
remember_unless_eacces:
        cmp     dword ptr [rbx+24], EACCES
        je      step_done
remember:
        call    encode
step_done:
        add     r13, 64
        inc     r14
        cmp     r14, [rbx+8]
        jb      next_step
        jmp     report                  # out of steps: only exec candidates get here
fail:
        call    encode
report:
        mov     eax, SYS_write          # write(report fd, &report word, 8)
        mov     rdi, [rbx+16]
        lea     rsi, [rbx+24]
        mov     edx, 8
        syscall
        mov     eax, SYS_exit_group     # exit_group(125): nothing else runs in the child
        mov     edi, FAILED_SETUP
        syscall
        hlt                             # not reached

# [rbx+24] = (r14 << 32) | errno, errno taken from the result in rax
# (0 when the result was a non-error value other than the expected one).
encode:
        xor     edx, edx
        neg     rax                     # -result: errno for an error result
        cmovs   rax, rdx                # was a plain value: errno 0
        mov     rdx, r14
        shl     rdx, 32
        or      rax, rdx
        mov     [rbx+24], rax
        ret

# void forward_signal(int sig, siginfo_t *info, void *context): SA_SIGINFO handler
# installed in the parent. It reads the target pid from the first word of the
# page after this code (0 = nobody to forward to) and sends it the signal.
forward_signal:
        cmp     dword ptr [rsi+8], SI_KERNEL
        je      1f                      # sent by the terminal to our whole process group,
                                        # which includes the command: it has it already
        mov     esi, edi                # kill(target, sig)
        mov     edi, dword ptr [rip + target_pid]
        test    edi, edi
        jle     1f                      # no target (yet, or any more)
        mov     eax, SYS_kill
        syscall
1:      ret

# sa_restorer for the handler above: return from the signal frame.
signal_restorer:
        mov     eax, SYS_rt_sigreturn
        syscall
        hlt

        .equ    target_pid, run_program + 4096
