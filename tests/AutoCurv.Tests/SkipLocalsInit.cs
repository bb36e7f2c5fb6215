// The whole test assembly, generated members included, compiles with SkipLocalsInit: the JIT does not zero
// stackalloc memory here, as in a user's project that sets it. A generated member that skipped a clear it needed
// (a scratch, tangent or adjoint span read before it is written in full, see WrittenFirst in the generator) then
// reads what earlier calls left on the stack, and the finite-difference checks of the corpus fail. Every corpus
// model writes its own stackalloc spans before reading them, so the models themselves do not depend on zeroing.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
