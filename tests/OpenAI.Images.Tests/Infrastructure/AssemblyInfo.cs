// Engine tests set process-wide state (environment variables such as OPENAI_API_KEY, XDG_CONFIG_HOME, the current
// directory of the hosted runspaces); they run one at a time so no test sees another's settings.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]
