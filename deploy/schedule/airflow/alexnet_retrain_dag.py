"""Weekly AlexNet retraining with Airflow's SparkSubmitOperator.

`retrain` warm-starts from the registry's production model, trains on the new manifest, judges
both models on the fixed validation set and promotes the new one only when it is better by
retrain.margin. `--kept-exit-code 0` makes "production kept" a successful task (SparkSubmitOperator
fails on any non-zero exit); the outcome is in <run>/decision.json, which the next task reads.

Needs apache-airflow-providers-apache-spark and a `spark_default` connection to your master.

conf/spark-defaults.conf turns on spark.authenticate and spark.network.crypto.enabled, without which
`retrain` refuses a cluster master. On YARN and Kubernetes Spark generates the secret per application.
A standalone master needs spark.authenticate.secret as well, the one its Master and Workers have:
SparkSubmitOperator puts `conf` on the spark-submit command line, which every user of the host can
read, so give it in a properties file instead (a chmod 600 copy of spark-defaults.conf plus that
line) as `properties_file`.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

JOB_JAR = "/opt/alexnet-spark/alexnet-trainer-0.1.0-SNAPSHOT-job.jar"
JVM_OPTIONS = open("/opt/alexnet-spark/conf/jvm.options").read()
JVM_FLAGS = " ".join(l.strip() for l in JVM_OPTIONS.splitlines() if l.strip() and not l.startswith("#"))
RUN = "hdfs://namenode:8020/alexnet/runs/{{ ts_nodash }}"

with DAG(
    dag_id="alexnet_retrain",
    schedule="30 2 * * 0",
    start_date=datetime(2026, 1, 4),
    catchup=False,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=30)},
    tags=["alexnet-spark"],
) as dag:
    retrain = SparkSubmitOperator(
        task_id="retrain",
        application=JOB_JAR,
        java_class="io.alexnetspark.cli.AlexNetCli",
        application_args=[
            "retrain", "--config", "/etc/alexnet-spark/retrain.conf",
            "--set", "job.output=" + RUN,
            # A retry continues the attempt before it in the same folder (a fresh start there is
            # refused: it would mix two runs); the first attempt has nothing to resume and starts fresh.
            "--resume",
            "--kept-exit-code", "0",
        ],
        # Standalone: a chmod 600 copy with spark.authenticate.secret added (see above).
        properties_file="/opt/alexnet-spark/conf/spark-defaults.conf",
        conf={
            "spark.driver.defaultJavaOptions": JVM_FLAGS,
            "spark.executor.defaultJavaOptions": JVM_FLAGS,
            # One GPU per replica; see deploy/gpu/discover-gpus.sh.
            "spark.executor.resource.gpu.amount": "1",
            "spark.task.resource.gpu.amount": "1",
            "spark.executor.resource.gpu.discoveryScript": "/opt/alexnet-spark/deploy/gpu/discover-gpus.sh",
        },
        num_executors=8,
        executor_memory="16g",
        execution_timeout=timedelta(days=3),
    )

    report = BashOperator(
        task_id="report_decision",
        bash_command="hdfs dfs -cat " + RUN + "/decision.json",
    )

    retrain >> report
