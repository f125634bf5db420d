using AnomalyClip.Cli;

return CliApp.Run(args);
