-- running total of each customer's orders, in date order
select count(*), sum(running) from (
  select sum(o_totalprice) over (partition by o_custkey order by o_orderdate, o_orderkey rows between unbounded preceding and current row) as running
  from orders
) t
